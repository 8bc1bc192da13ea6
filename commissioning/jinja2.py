"""The Jinja2 environment for pages: NHS.UK design system macros plus Django helpers."""

from django.contrib.staticfiles.storage import staticfiles_storage
from django.urls import reverse
from jinja2 import ChainableUndefined, ChoiceLoader, Environment, PackageLoader

from .money import format_money
from .years import FinancialYear


def url(name: str, *args, **kwargs) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def number(value) -> str:
    return "" if value is None else f"{value:,}"


def long_date(value) -> str:
    """A date as the NHS style guide writes it: 1 April 2013 (no leading zero)."""
    return "" if value is None else f"{value.day} {value:%B %Y}"


def financial_year(value) -> str:
    return "" if value is None else FinancialYear.parse(value).label


def environment(**options) -> Environment:
    # Our templates first (Django passes a loader for DIRS), then the nhsuk-frontend-jinja macros.
    loader = options.pop("loader")
    # The nhsuk-frontend-jinja macros read nested optional params (params.navigation.colour),
    # as Nunjucks allows: they need ChainableUndefined. Django's backend sets DebugUndefined or
    # Undefined itself, so a setdefault here would never apply.
    options["undefined"] = ChainableUndefined
    options.pop("autoescape", None)
    env = Environment(
        loader=ChoiceLoader([loader, PackageLoader("nhsuk_frontend_jinja")]),
        autoescape=True,
        extensions=["jinja2.ext.do"],
        **options,
    )
    env.globals.update({"static": staticfiles_storage.url, "url": url})
    env.filters.update(
        {
            "money": format_money,
            "number": number,
            "financial_year": financial_year,
            "date": long_date,
        }
    )
    return env
