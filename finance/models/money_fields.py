"""Money and percentage columns: Decimal pounds with two places, percentages with three."""

from django.core.validators import MinValueValidator
from django.db import models


def money(verbose_name: str = "", *, null: bool = False, **kwargs) -> models.DecimalField:
    """Pounds, two places, up to £999,999,999,999.99; empty allowed when `null`."""
    return models.DecimalField(
        verbose_name or None, max_digits=14, decimal_places=2, null=null, blank=null, **kwargs
    )


def non_negative_money(verbose_name: str = "", *, null: bool = False, **kwargs):
    return money(verbose_name, null=null, validators=[MinValueValidator(0)], **kwargs)


def percent(verbose_name: str = "", *, null: bool = False, **kwargs) -> models.DecimalField:
    """A percentage as written (2.5 means 2.5%), three places."""
    return models.DecimalField(
        verbose_name or None, max_digits=7, decimal_places=3, null=null, blank=null, **kwargs
    )
