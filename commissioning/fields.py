"""Model fields for the core value types."""

from django import forms
from django.core import checks, validators
from django.core.exceptions import ValidationError
from django.db import models

from .years import FinancialYear


class FinancialYearFormField(forms.CharField):
    """Accepts `2015/16`; cleans to a FinancialYear."""

    def __init__(self, **kwargs):
        kwargs.pop("max_value", None)
        kwargs.pop("min_value", None)
        kwargs.setdefault("help_text", "For example, 2015/16")
        super().__init__(max_length=9, **kwargs)
        # The cleaned value is a FinancialYear (no length); the input keeps its maxlength.
        self.validators = [
            v for v in self.validators if not isinstance(v, validators.MaxLengthValidator)
        ]

    def prepare_value(self, value):
        if isinstance(value, FinancialYear):
            return value.label
        if isinstance(value, int):
            return FinancialYear(value).label
        return value

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return FinancialYear.parse(value)
        except ValueError as error:
            raise ValidationError(str(error), code="invalid") from error


class FinancialYearField(models.PositiveSmallIntegerField):
    """Stores the start year (2015 for 2015/16); gives back a FinancialYear."""

    description = "NHS financial year (April to March)"

    @property
    def validators(self):
        # Not the integer range validators: the value is a FinancialYear, which checks itself.
        return [*self.default_validators, *self._validators]

    def from_db_value(self, value, expression, connection):
        return None if value is None else FinancialYear(value)

    def to_python(self, value):
        if value is None or isinstance(value, FinancialYear):
            return value
        try:
            return FinancialYear.parse(value)
        except ValueError as error:
            raise ValidationError(str(error), code="invalid") from error

    def get_prep_value(self, value):
        if value is None:
            return None
        return self.to_python(value).start_year

    def value_to_string(self, obj):
        value = self.value_from_object(obj)
        return "" if value is None else value.label

    def formfield(self, **kwargs):
        return models.Field.formfield(self, **{"form_class": FinancialYearFormField, **kwargs})

    def check(self, **kwargs):
        return [*super().check(**kwargs), *self._check_no_choices()]

    def _check_no_choices(self):
        if self.choices:
            return [checks.Error("FinancialYearField does not take choices", obj=self)]
        return []
