"""Display logic for pages: turn model rows into what the NHS.UK components take.

Kept out of templates so it can be tested without rendering, and out of models so the
domain stays free of HTML.
"""

from __future__ import annotations

from django.urls import reverse
from markupsafe import Markup, escape

from .jinja2 import long_date, number

NOT_STATED = "Not stated"


def _row(key: str, *, text: str | None = None, html: Markup | None = None) -> dict:
    value = {"html": html} if html is not None else {"text": text or NOT_STATED}
    return {"key": {"text": key}, "value": value}


def _lines(text: str) -> Markup:
    """Multi-line text (an address) with its line breaks kept."""
    return Markup("<br>").join(escape(line.strip()) for line in text.splitlines() if line.strip())


def population_text(population, note: str = "", as_of=None) -> Markup:
    figure = escape(NOT_STATED if population is None else number(population))
    details = [d for d in (note, f"as of {long_date(as_of)}" if as_of else "") if d]
    if not details:
        return figure
    return Markup(
        '{}<br><span class="nhsuk-body-s nhsuk-u-secondary-text-colour">{}</span>'
    ).format(figure, "; ".join(details))


def ccg_facts(ccg, *, successor_visible: bool = False) -> list[dict]:
    """The rows of a CCG's summary list, in the order a reader wants them."""
    rows = [
        _row("ODS code", text=ccg.ods_code),
        _row("Name", text=ccg.name),
        _row(
            "Population",
            html=population_text(ccg.population, ccg.population_note, ccg.population_as_of),
        ),
        _row("Region", text=ccg.region),
        _row("Address", html=_lines(ccg.address) if ccg.address.strip() else None),
    ]
    if ccg.website.startswith(("https://", "http://")):
        rows.append(
            _row(
                "Website",
                html=Markup('<a class="nhsuk-link" href="{}">{}</a>').format(
                    ccg.website, ccg.website
                ),
            )
        )
    else:
        rows.append(_row("Website", text=ccg.website))
    rows.append(_row("Opened", text=long_date(ccg.open_date)))
    if ccg.close_date:
        rows.append(_row("Closed", text=long_date(ccg.close_date)))
    if ccg.successor_id:
        successor = ccg.successor
        label = f"{successor.name} ({successor.ods_code})"
        if successor_visible:
            href = reverse("ccg-detail", kwargs={"ods": successor.ods_code})
            html = Markup('<a class="nhsuk-link" href="{}">{}</a>').format(href, label)
        else:
            html = escape(label)
        rows.append(_row("Succeeded by", html=html))
    if ccg.source_note:
        rows.append(_row("Source", html=_lines(ccg.source_note)))
    return rows


def sign_in_errors(form) -> list[dict]:
    """The error summary's list for the sign-in form, each linking to its field."""
    if not form.is_bound or not form.errors:
        return []
    errors = []
    for message in form.non_field_errors():
        errors.append({"text": message, "href": "#username"})
    for field in ("username", "password"):
        for message in form.errors.get(field, []):
            errors.append({"text": message, "href": f"#{field}"})
    return errors
