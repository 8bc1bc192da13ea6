"""Forms of the finance and QIPP pages, drawn with the NHS.UK components. They only parse
input: every write goes through `finance.services` (or `finance.qipp_io` for imports), whose
refusals are put back on the form (`add_service_error`). Field ids are the field names, so
the NHS error summary links straight to them (`error_list()`).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django import forms
from django.core.exceptions import ValidationError

from commissioning.fields import FinancialYearFormField
from commissioning.years import FinancialYear
from plans.forms_consultation import NhsForm
from priorities.models import DeliveryStatus

from .presenters import RAG_CHOICES
from .qipp_figures import MONTHS, month_label

YEAR_MESSAGE = "Choose a year from the list"
OUT_OF_DATE = "This form is out of date: open the scheme's months again and make your changes"
MAX_POUNDS = Decimal("999999999999.99")
IMPORT_TYPES = (".csv", ".xlsx")
MAX_IMPORT_BYTES = 5 * 1024 * 1024


def _select(form: NhsForm, name: str, chosen: str) -> dict:
    params = {
        "id": name,
        "name": name,
        "label": {"text": form.fields[name].label},
        "items": [
            {"value": value, "text": text, "selected": str(value) == chosen}
            for value, text in form.fields[name].choices
        ],
    }
    error = form.error_for(name)
    if error:
        params["errorMessage"] = {"text": error}
    return params


# --- The year selector ----------------------------------------------------------------------


def _year_label(raw: str) -> str:
    try:
        return FinancialYear.parse(raw).label
    except ValueError:
        return raw


class YearForm(NhsForm):
    """`?year=2013/14`, one of the years the CCG has figures for; the newest by default. A
    year not offered (an old link) is reported and the newest shown instead."""

    year = forms.ChoiceField(label="Financial year", required=False)

    def __init__(self, data=None, *, years: list[FinancialYear]):
        super().__init__(data)
        self.years = sorted(years, reverse=True)
        self.fields["year"].choices = [(y.label, y.label) for y in self.years]
        self.fields["year"].error_messages["invalid_choice"] = YEAR_MESSAGE

    def clean_year(self):
        value = self.cleaned_data.get("year") or ""
        if not value:
            return None
        return FinancialYear.parse(value)

    def full_clean(self):
        # "2013-14" and "2013" mean 2013/14: read them as the label before checking the list.
        if self.is_bound and self.data.get("year"):
            data = self.data.copy()
            data["year"] = _year_label(data["year"])
            self.data = data
        super().full_clean()

    def chosen_year(self) -> FinancialYear | None:
        if self.is_bound:
            self.is_valid()
            if "year" not in self.errors and self.cleaned_data.get("year"):
                return self.cleaned_data["year"]
        return self.years[0] if self.years else None

    def select_params(self, name: str = "year") -> dict:
        chosen = self.chosen_year()
        return _select(self, name, chosen.label if chosen else "")


# --- The tracker's filters ------------------------------------------------------------------


class QippFilterForm(YearForm):
    """The tracker's GET form: the year and every filter optional; a value not offered (an
    old link) is reported and that filter left out."""

    programme = forms.TypedChoiceField(label="QIPP programme", required=False, coerce=int)
    status = forms.ChoiceField(label="Delivery status", required=False)
    provider = forms.TypedChoiceField(label="Provider", required=False, coerce=int)
    lead = forms.ChoiceField(label="Lead", required=False)
    rag = forms.ChoiceField(label="RAG", required=False)

    MESSAGES = {
        "programme": "Choose a QIPP programme from the list",
        "status": "Choose a delivery status from the list",
        "provider": "Choose a provider from the list",
        "lead": "Choose a lead from the list",
        "rag": "Choose a RAG from the list",
    }
    FILTERS = ("programme", "status", "provider", "lead", "rag")

    def __init__(self, data=None, *, years, programmes=(), providers=(), leads=()):
        super().__init__(data, years=years)
        choices = {
            "programme": [(str(p.pk), p.name) for p in programmes],
            "status": list(DeliveryStatus.choices),
            "provider": [(str(p.pk), p.name) for p in providers],
            "lead": [(lead, lead) for lead in leads],
            "rag": RAG_CHOICES,
        }
        for name, values in choices.items():
            self.fields[name].choices = [("", "Any"), *values]
            self.fields[name].error_messages["invalid_choice"] = self.MESSAGES[name]

    def filters(self) -> dict:
        """The filters that were valid (the others left out)."""
        data = {}
        if self.is_bound:
            self.is_valid()
            data = getattr(self, "cleaned_data", {})
        return {name: data.get(name) or None for name in self.FILTERS}

    def active(self) -> bool:
        return any(self.filters().values())

    def query(self, **extra) -> dict:
        """The GET parameters of the current year and filters (for links that keep them)."""
        params = {"year": self.chosen_year().label if self.chosen_year() else ""}
        params |= {k: v for k, v in self.filters().items() if v}
        params |= extra
        return {k: v for k, v in params.items() if v not in (None, "")}

    def select_params(self, name: str = "year") -> dict:
        if name == "year":
            return super().select_params("year")
        chosen = str(self[name].value() or "") if self.is_bound else ""
        return _select(self, name, chosen)


# --- A scheme's twelve months ---------------------------------------------------------------

FIGURES = (("plan", "plan"), ("actual", "actual"), ("forecast", "forecast"))


class PoundsField(forms.Field):
    """An amount in pounds as people type it: 8833.33, 8,833.33 or £8,833.33; negative for
    a saving that went backwards. `noun` names it in messages ("The M3 (June) actual")."""

    def __init__(self, *, noun: str, **kwargs):
        super().__init__(**kwargs)
        self.noun = noun

    def to_python(self, value):
        text = re.sub(r"[\s,£]", "", str(value or "")).replace("\u2212", "-")
        if not text:
            return None
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise ValidationError(
                f"{self.noun} must be an amount in pounds, like 8833.33", code="invalid"
            ) from None
        if not amount.is_finite():
            raise ValidationError(f"{self.noun} must be an amount in pounds, like 8833.33")
        if amount.as_tuple().exponent < -2:
            raise ValidationError(f"{self.noun} must be in pounds and pence, with no more than "
                                  "2 decimal places", code="places")  # fmt: skip
        if abs(amount) > MAX_POUNDS:
            raise ValidationError(f"{self.noun} must be less than £1,000,000,000,000")
        return amount.quantize(Decimal("0.01"))


def field_name(figure: str, month: int) -> str:
    return f"{figure}-{month}"


class MonthsForm(NhsForm):
    """Plan, actual and forecast of M1 to M12, each month with the revision it was read at
    (0 for a month with no figures yet)."""

    def __init__(self, data=None, *, initial=None):
        super().__init__(data, initial=initial)
        for month in range(1, MONTHS + 1):
            label = month_label(month)
            self.fields[field_name("plan", month)] = PoundsField(
                noun=f"The {label} plan", required=True,
                error_messages={"required": f"Enter the {label} plan (0 if nothing is planned)"},
            )  # fmt: skip
            for figure in ("actual", "forecast"):
                self.fields[field_name(figure, month)] = PoundsField(
                    noun=f"The {label} {figure}", required=False
                )
            revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
            revision.error_messages |= {"required": OUT_OF_DATE, "invalid": OUT_OF_DATE,
                                        "min_value": OUT_OF_DATE}  # fmt: skip
            self.fields[field_name("revision", month)] = revision

    @staticmethod
    def initial_for(months: dict) -> dict:
        """From the scheme's QippMonth rows by month number."""
        initial = {}
        for month in range(1, MONTHS + 1):
            record = months.get(month)
            initial[field_name("plan", month)] = record.plan if record else Decimal("0.00")
            initial[field_name("actual", month)] = record.actual if record else None
            initial[field_name("forecast", month)] = record.forecast if record else None
            initial[field_name("revision", month)] = record.revision if record else 0
        return initial

    def month_values(self, month: int) -> dict:
        data = self.cleaned_data
        return {figure: data[field_name(figure, month)] for figure, _ in FIGURES}

    def revision(self, month: int) -> int:
        return self.cleaned_data[field_name("revision", month)]

    def value(self, figure: str, month: int) -> str:
        value = self[field_name(figure, month)].value()
        return "" if value is None else str(value)

    def rows(self) -> list[dict]:
        """One table row a month: its label and the three inputs with their errors."""
        rows = []
        for month in range(1, MONTHS + 1):
            cells = []
            for figure, word in FIGURES:
                name = field_name(figure, month)
                cells.append({
                    "name": name,
                    "figure": word,
                    "value": self.value(figure, month),
                    "error": self.error_for(name),
                    "label": f"{month_label(month)} {word}",
                })  # fmt: skip
            rows.append({"month": month, "label": month_label(month), "cells": cells,
                         "revision": self.value("revision", month)})  # fmt: skip
        return rows

    def add_service_error(self, error, month: int | None = None) -> None:
        field = getattr(error, "field", None)
        if month is not None and field in dict(FIGURES):
            self.add_error(field_name(field, month), error.message)
            return
        self.add_error(None, error.message)


# --- Imports --------------------------------------------------------------------------------


class ImportForm(NhsForm):
    file = forms.FileField(
        label="QIPP report",
        help_text="A CSV or Excel (.xlsx) file in the layout of the QIPP report: unique ref, "
        "project name, point of delivery, gross plan, gross actual, gross variance, "
        "variance % and the monthly columns",
        error_messages={"required": "Choose the CSV or Excel (.xlsx) file to import",
                        "empty": "The file you chose is empty",
                        "invalid": "Choose the CSV or Excel (.xlsx) file to import"},
    )  # fmt: skip
    year = FinancialYearFormField(
        label="Financial year",
        error_messages={"required": "Enter the financial year the report is for, like 2013/14"},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        suffix = Path(upload.name or "").suffix.lower()
        if suffix not in IMPORT_TYPES:
            raise ValidationError("The file must be a CSV (.csv) or an Excel (.xlsx) file")
        if upload.size > MAX_IMPORT_BYTES:
            raise ValidationError("The file must be smaller than 5MB")
        return upload


class ConfirmImportForm(NhsForm):
    """Nothing to enter: applying a previewed import."""
