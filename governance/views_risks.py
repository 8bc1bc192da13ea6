"""Risk register and Governing Body Assurance Framework pages of a CCG.

The register (filters, sorting by current score), the 5×5 heat map of current and target
scores, the assurance framework grouped by strategic objective, the risks escalated to the
governing body (current score 15 or more), overdue reviews, and each risk with its actions and
score history. The forms planning managers use are in `views_risks_forms`.

Risks are internal: the CCG is read with `for_user(user, roles=INTERNAL_ROLES)`, so scrutiny
members, other CCGs' people and people with no role get a 404, and every risk, action and
review is read through `for_user(request.user)`.
"""

from __future__ import annotations

from collections import OrderedDict
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET
from markupsafe import Markup

from commissioning.models import CCG

from . import risk_matrix
from . import services_risks as services
from .charts import sparkline_svg
from .forms_risks import (
    STAGE_WORDS,
    RiskFilterForm,
)
from .models import (
    CONSEQUENCE,
    ESCALATION_SCORE,
    LIKELIHOOD,
    Committee,
    Risk,
    RiskAction,
    RiskReview,
    RiskStatus,
)
from .queries import INTERNAL_ROLES

TAG_CLASSES = {
    "low": "nhsuk-tag--green",
    "moderate": "nhsuk-tag--yellow",
    "high": "nhsuk-tag--orange",
    "extreme": "nhsuk-tag--red",
}
NAV = (
    ("ccg-risks", "Register"),
    ("ccg-risk-heat-map", "Heat map"),
    ("ccg-risk-framework", "Assurance framework"),
    ("ccg-risks-escalated", "Escalated to the governing body"),
    ("ccg-risks-overdue", "Overdue reviews"),
)
NO_OBJECTIVE = "No strategic objective recorded"


# --- Reading --------------------------------------------------------------------------------


def risk_ccg(request, ods: str) -> CCG:
    """The CCG, if the user reads its risks (internal roles, assurers, staff); else 404."""
    ccgs = CCG.objects.for_user(request.user, roles=set(INTERNAL_ROLES))
    return get_object_or_404(ccgs, ods_code=ods.upper())


def _risks(request, ccg):
    return (
        Risk.objects.for_user(request.user)
        .filter(ccg=ccg)
        .select_related("ccg", "committee", "priority__plan")
        .annotate(score_now=services.score_now())
    )


def risk_of(request, ods: str, pk: int) -> Risk:
    risks = Risk.objects.for_user(request.user).select_related("ccg", "committee", "priority__plan")
    return get_object_or_404(risks, pk=pk, ccg__ods_code=ods.upper())


def _today():
    return timezone.localdate()


def _overdue(risk, today) -> bool:
    return (
        risk.status == RiskStatus.OPEN
        and risk.next_review_on is not None
        and risk.next_review_on < today
    )


# --- Presenting -----------------------------------------------------------------------------


def band_tag(band) -> dict:
    """The NHS tag of a band: its name in words, its colour as well."""
    if band is None:
        return {"text": "No band", "classes": "nhsuk-tag--grey"}
    return {"text": band.label, "classes": TAG_CLASSES.get(band.code, "nhsuk-tag--grey")}


def score_cell(likelihood: int, consequence: int, bands) -> dict:
    value = likelihood * consequence
    band = risk_matrix.band_for(value, bands)
    return {
        "score": value,
        "likelihood": likelihood,
        "consequence": consequence,
        "likelihood_label": LIKELIHOOD[likelihood],
        "consequence_label": CONSEQUENCE[consequence],
        "band": band.code if band else "",
        "tag": band_tag(band),
        "words": f"likelihood {likelihood} ({LIKELIHOOD[likelihood].lower()}) × consequence "
        f"{consequence} ({CONSEQUENCE[consequence].lower()})",
    }


def risk_scores(risk, bands) -> dict:
    return {
        stage: score_cell(
            getattr(risk, f"{stage}_likelihood"), getattr(risk, f"{stage}_consequence"), bands
        )
        for stage in STAGE_WORDS
    }


def risk_row(risk, bands, today) -> dict:
    return {
        "risk": risk,
        "url": reverse("risk-detail", kwargs={"ods": risk.ccg.ods_code, "pk": risk.pk}),
        "scores": risk_scores(risk, bands),
        "escalated": risk_matrix.is_escalated(risk.current_score),
        "overdue": _overdue(risk, today),
        "closed": risk.status == RiskStatus.CLOSED,
    }


def register_url(ccg, **params) -> str:
    url = reverse("ccg-risks", kwargs={"ods": ccg.ods_code})
    params = {name: value for name, value in params.items() if value not in (None, "")}
    return f"{url}?{urlencode(params)}" if params else url


def _nav(ccg, current: str) -> list[dict]:
    return [
        {
            "href": reverse(name, kwargs={"ods": ccg.ods_code}),
            "text": text,
            "current": name == current,
        }
        for name, text in NAV
    ]


def _context(request, ccg, page: str, title: str, **extra) -> dict:
    return {
        "ccg": ccg,
        "current_ccg": ccg,
        "title": f"{title} – {ccg.display_name}",
        "nav": _nav(ccg, page),
        "can_manage": services.risk_refusal(request.user, ccg) is None,
        "escalation_score": ESCALATION_SCORE,
        "today": _today(),
        **extra,
    }


# --- The register ---------------------------------------------------------------------------

ORDERINGS = {
    "score": ("-score_now", "reference"),
    "reference": ("reference",),
    "review": (F("next_review_on").asc(nulls_last=True), "reference"),
}


def _filtered(risks, filters: dict, bands, today):
    if filters["status"] != "all":
        risks = risks.filter(status=filters["status"])
    if filters["band"]:
        band = next((b for b in bands if b.code == filters["band"]), None)
        if band is not None:
            risks = risks.filter(score_now__gte=band.min_score, score_now__lte=band.max_score)
    if filters["committee"]:
        risks = risks.filter(committee_id=filters["committee"])
    if filters["owner"]:
        risks = risks.filter(owner=filters["owner"])
    if filters["overdue"]:
        risks = risks.filter(status=RiskStatus.OPEN, next_review_on__lt=today)
    stage = filters["scores"]
    if filters["likelihood"]:
        risks = risks.filter(**{f"{stage}_likelihood": filters["likelihood"]})
    if filters["consequence"]:
        risks = risks.filter(**{f"{stage}_consequence": filters["consequence"]})
    return risks.order_by(*ORDERINGS[filters["sort"]])


def _cell_words(filters: dict) -> str:
    """ "current likelihood 4 (likely) × consequence 5 (catastrophic)" for a heat map link."""
    parts = []
    if filters["likelihood"]:
        parts.append(f"likelihood {filters['likelihood']} "
                     f"({LIKELIHOOD[filters['likelihood']].lower()})")  # fmt: skip
    if filters["consequence"]:
        parts.append(f"consequence {filters['consequence']} "
                     f"({CONSEQUENCE[filters['consequence']].lower()})")  # fmt: skip
    return f"{filters['scores']} {' × '.join(parts)}" if parts else ""


@login_required
@require_GET
def ccg_risks(request, ods: str):
    ccg = risk_ccg(request, ods)
    today = _today()
    bands = services.bands_for(ccg)
    everything = _risks(request, ccg)
    committees = Committee.objects.for_user(request.user).filter(ccg=ccg).order_by("order", "name")
    owners = sorted(set(everything.exclude(owner="").values_list("owner", flat=True)))
    form = RiskFilterForm(request.GET or None, bands=bands, committees=committees, owners=owners)
    filters = form.filters()
    rows = [risk_row(r, bands, today) for r in _filtered(everything, filters, bands, today)]
    active = bool(request.GET and any(request.GET.get(name) for name in RiskFilterForm.base_fields))
    context = _context(
        request,
        ccg,
        "ccg-risks",
        "Risk register",
        form=form,
        rows=rows,
        filters=filters,
        active=active,
        cell_words=_cell_words(filters),
        error_list=form.error_list(),
        csv_url=f"{reverse('api:risk-list')}?{urlencode({'ccg': ccg.ods_code, 'format': 'csv'})}",
        bands=[{"band": band, "tag": band_tag(band)} for band in bands],
    )
    return render(request, "governance/risks/register.jinja", context)


# --- Heat map -------------------------------------------------------------------------------


def heat_table(ccg, matrix: risk_matrix.HeatMap, stage: str) -> dict:
    rows = []
    for row in matrix.rows():
        cells = []
        for cell in row.cells:
            cells.append(
                {
                    "count": cell.count,
                    "score": cell.score,
                    "tag": band_tag(cell.band),
                    "url": register_url(ccg, likelihood=cell.likelihood,
                                        consequence=cell.consequence, scores=stage)
                    if cell.count
                    else "",
                    "id": f"{stage}-{cell.likelihood}-{cell.consequence}",
                    "words": f"{cell.count} {'risk' if cell.count == 1 else 'risks'} with "
                    f"likelihood {cell.likelihood} and consequence {cell.consequence}",
                }
            )  # fmt: skip
        rows.append({"likelihood": row.likelihood, "label": row.label, "cells": cells})
    return {
        "stage": stage,
        "title": f"{STAGE_WORDS[stage]} scores",
        "columns": matrix.columns(),
        "rows": rows,
        "total": matrix.total,
        "band_totals": [
            {"tag": band_tag(band), "count": count, "band": band}
            for band, count in matrix.band_totals()
        ],
    }


@login_required
@require_GET
def ccg_risk_heat_map(request, ods: str):
    ccg = risk_ccg(request, ods)
    bands = services.bands_for(ccg)
    scores = list(
        _risks(request, ccg)
        .filter(status=RiskStatus.OPEN)
        .values_list(
            "current_likelihood", "current_consequence", "target_likelihood", "target_consequence"
        )
    )
    current = risk_matrix.heat_map(((row[0], row[1]) for row in scores), bands)
    target = risk_matrix.heat_map(((row[2], row[3]) for row in scores), bands)
    context = _context(
        request,
        ccg,
        "ccg-risk-heat-map",
        "Risk heat map",
        tables=[heat_table(ccg, current, "current"), heat_table(ccg, target, "target")],
        bands=[{"band": band, "tag": band_tag(band)} for band in bands],
    )
    return render(request, "governance/risks/heat_map.jinja", context)


# --- The assurance framework, escalations and overdue reviews ------------------------------


@login_required
@require_GET
def ccg_risk_framework(request, ods: str):
    """Open risks grouped by strategic objective (the linked priority's title when no
    objective is written), each with its controls, assurances and gaps."""
    ccg = risk_ccg(request, ods)
    today = _today()
    bands = services.bands_for(ccg)
    groups: OrderedDict[str, list] = OrderedDict()
    risks = _risks(request, ccg).filter(status=RiskStatus.OPEN).order_by("reference")
    for risk in risks:
        objective = risk.strategic_objective or (risk.priority.title if risk.priority else "")
        groups.setdefault(objective or NO_OBJECTIVE, []).append(risk_row(risk, bands, today))
    ordered = sorted(groups.items(), key=lambda item: (item[0] == NO_OBJECTIVE, item[0].lower()))
    context = _context(
        request,
        ccg,
        "ccg-risk-framework",
        "Governing Body Assurance Framework",
        groups=[
            {"objective": name, "id": f"objective-{index}", "rows": rows}
            for index, (name, rows) in enumerate(ordered, start=1)
        ],
    )
    return render(request, "governance/risks/framework.jinja", context)


@login_required
@require_GET
def ccg_risks_escalated(request, ods: str):
    ccg = risk_ccg(request, ods)
    today = _today()
    bands = services.bands_for(ccg)
    risks = (
        _risks(request, ccg)
        .filter(status=RiskStatus.OPEN, score_now__gte=ESCALATION_SCORE)
        .order_by("-score_now", "reference")
    )
    context = _context(
        request,
        ccg,
        "ccg-risks-escalated",
        "Risks escalated to the governing body",
        rows=[risk_row(risk, bands, today) for risk in risks],
    )
    return render(request, "governance/risks/escalated.jinja", context)


@login_required
@require_GET
def ccg_risks_overdue(request, ods: str):
    ccg = risk_ccg(request, ods)
    today = _today()
    bands = services.bands_for(ccg)
    risks = (
        _risks(request, ccg)
        .filter(status=RiskStatus.OPEN, next_review_on__lt=today)
        .order_by("next_review_on", "reference")
    )
    rows = []
    for risk in risks:
        row = risk_row(risk, bands, today)
        row["days_overdue"] = (today - risk.next_review_on).days
        rows.append(row)
    context = _context(request, ccg, "ccg-risks-overdue", "Risks overdue for review", rows=rows)
    return render(request, "governance/risks/overdue.jinja", context)


# --- One risk -------------------------------------------------------------------------------


def detail_url(risk, anchor: str = "") -> str:
    url = reverse("risk-detail", kwargs={"ods": risk.ccg.ods_code, "pk": risk.pk})
    return f"{url}#{anchor}" if anchor else url


def history_chart(risk, reviews) -> Markup | None:
    """A small line of the current score at each review (two reviews or more)."""
    if len(reviews) < 2:
        return None
    svg = sparkline_svg(
        [review.score for review in reviews],
        width=240,
        height=48,
        label=f"Current score of {risk.reference} at each review",
        decimals=0,
        chart_id=f"risk-history-{risk.pk}",
    )
    return Markup(svg)  # noqa: S704 - governance.charts escapes every piece of text it writes


@login_required
@require_GET
def risk_detail(request, ods: str, pk: int):
    risk = risk_of(request, ods, pk)
    ccg = risk.ccg
    today = _today()
    bands = services.bands_for(ccg)
    actions = RiskAction.objects.for_user(request.user).filter(risk=risk)
    reviews = list(
        RiskReview.objects.for_user(request.user)
        .filter(risk=risk)
        .select_related("reviewed_by")
        .order_by("reviewed_on", "pk")
    )
    context = _context(
        request,
        ccg,
        "",
        f"{risk.reference} {risk.title}",
        risk=risk,
        row=risk_row(risk, bands, today),
        actions=[
            {
                "action": action,
                "overdue": action.done_on is None
                and action.due_on is not None
                and action.due_on < today,
            }
            for action in actions
        ],
        reviews=[
            {
                "review": review,
                "cell": score_cell(review.likelihood, review.consequence, bands),
                "by": (review.reviewed_by.get_full_name() or review.reviewed_by.get_username())
                if review.reviewed_by
                else "",
            }
            for review in reversed(reviews)
        ],
        chart=history_chart(risk, reviews),
    )
    return render(request, "governance/risks/detail.jinja", context)
