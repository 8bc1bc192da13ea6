"""Writes to the risk register, shared by pages, the API and the demo loader; and the risk
bands they all score with.

Planning managers of a CCG (and staff) add and change its risks, review them, add and complete
their actions, close and reopen them; `user=None` is the system itself (the demo loader).
Refusals are `plans.errors`: NotAllowed (403), ReadOnly for a closed risk (409), InvalidMove
naming a field for bad input (400), EditConflict for a stale revision (409/412).

A risk's scores over time are its RiskReview rows: adding a risk records its first current
score, every review records the scores it set, and an edit that changes the current scores
records them too. History of every field is kept by simple-history (`_history_user`).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from commissioning.access import Role, ccg_scope
from plans.errors import InvalidMove, NotAllowed, ReadOnly
from plans.services.guards import claim_revision, set_history_user

from . import risk_matrix
from .models import Risk, RiskAction, RiskBand, RiskReview, RiskStatus
from .risk_matrix import DEFAULT_BANDS, Band

SCORE_FIELDS = tuple(
    f"{stage}_{axis}"
    for stage in ("inherent", "current", "target")
    for axis in ("likelihood", "consequence")
)
TEXT_FIELDS = ("reference", "title", "strategic_objective", "cause", "event", "effect", "owner",
               "key_controls", "internal_assurance", "external_assurance", "gaps_in_control",
               "gaps_in_assurance")  # fmt: skip
RISK_FIELDS = (*TEXT_FIELDS, "priority", "committee", *SCORE_FIELDS, "next_review_on",
               "illustrative")  # fmt: skip
REVIEW_MONTHS = 3  # the default time to the next review
ADDED_NOTE = "Added to the register."
EDITED_NOTE = "Current scores changed when the risk was edited."


# --- Bands ----------------------------------------------------------------------------------


def ensure_default_bands() -> dict[str, str]:
    """Make the default bands (no CCG) seed 002's, idempotently: {code: created, updated or
    unchanged}. The demo loader and tests call it; running it again changes nothing."""
    outcomes = {}
    for band in DEFAULT_BANDS:
        values = {"label": band.label, "min_score": band.min_score,
                  "max_score": band.max_score, "colour": band.colour}  # fmt: skip
        row = RiskBand.objects.filter(ccg__isnull=True, code=band.code).order_by("pk").first()
        if row is None:
            row = RiskBand(ccg=None, code=band.code, **values)
            row.full_clean(validate_constraints=False)
            row.save()
            outcomes[band.code] = "created"
            continue
        changed = [name for name, value in values.items() if getattr(row, name) != value]
        for name in changed:
            setattr(row, name, values[name])
        if changed:
            row.save(update_fields=changed)
        outcomes[band.code] = "updated" if changed else "unchanged"
    return outcomes


def load_demo_bands(ctx) -> None:
    """Demo step: the default risk bands, counted in the demo report."""
    for outcome in ensure_default_bands().values():
        ctx.report.count(RiskBand, outcome)


def register_demo_step() -> None:
    from commissioning.demo.loader import register_step

    register_step(load_demo_bands, "governance-risk-bands")


def _band(row: RiskBand) -> Band:
    return Band(row.code, row.label, row.min_score, row.max_score, row.colour)


@dataclass(frozen=True)
class BandBook:
    """The bands each CCG scores with: its own when it has any, else the default set (the
    stored default bands, or seed 002's when none are stored)."""

    default: tuple[Band, ...]
    own: dict[int, tuple[Band, ...]]

    def for_ccg(self, ccg_id: int | None) -> tuple[Band, ...]:
        return self.own.get(ccg_id, self.default)

    def band(self, ccg_id: int | None, score: int) -> Band | None:
        return risk_matrix.band_for(score, self.for_ccg(ccg_id))

    def score_ranges(self, code: str) -> Q:
        """A filter on an annotated `score_now` (the current score) for risks whose current
        score is in band `code` of their CCG's bands."""
        condition = Q(pk__in=[])
        others = ~Q(ccg_id__in=list(self.own)) if self.own else Q()
        for band in self.default:
            if band.code == code:
                condition |= others & Q(score_now__gte=band.min_score,
                                        score_now__lte=band.max_score)  # fmt: skip
        for ccg_id, bands in self.own.items():
            for band in bands:
                if band.code == code:
                    condition |= Q(ccg_id=ccg_id, score_now__gte=band.min_score,
                                   score_now__lte=band.max_score)  # fmt: skip
        return condition

    def codes(self) -> list[tuple[str, str]]:
        """(code, label) of every band in the book, default bands first."""
        seen = {}
        for band in (*self.default, *(b for bands in self.own.values() for b in bands)):
            seen.setdefault(band.code, band.label)
        return list(seen.items())


def band_book(ccg_ids=None) -> BandBook:
    """The bands of these CCGs (all CCGs when None) and the default set, in one query.
    Bands are reference data: they say how scores are named, never which risks exist."""
    rows = RiskBand.objects.order_by("min_score", "pk")
    if ccg_ids is not None:
        rows = rows.filter(Q(ccg__isnull=True) | Q(ccg__in=list(ccg_ids)))
    default, own = [], {}
    for row in rows:
        if row.ccg_id is None:
            default.append(_band(row))
        else:
            own.setdefault(row.ccg_id, []).append(_band(row))
    return BandBook(
        default=tuple(default) or DEFAULT_BANDS,
        own={ccg_id: tuple(bands) for ccg_id, bands in own.items()},
    )


def bands_for(ccg) -> tuple[Band, ...]:
    return band_book([ccg.pk]).for_ccg(ccg.pk)


def score_now():
    """The current score as an expression, to annotate risks with as `score_now` (for
    filtering by band or score and sorting in the database)."""
    return F("current_likelihood") * F("current_consequence")


# --- Who may write --------------------------------------------------------------------------


def risk_refusal(user, ccg) -> str | None:
    """Why `user` may not change the risks of `ccg`, or None."""
    if user is None or getattr(user, "is_superuser", False) or getattr(user, "is_staff", False):
        return None
    if ccg_scope(user).role_in(ccg.pk) != Role.PLANNING_MANAGER:
        return f"Only planning managers of {ccg.display_name} can change its risk register."
    return None


def _require(user, ccg) -> None:
    refusal = risk_refusal(user, ccg)
    if refusal:
        raise NotAllowed(refusal)


def _require_open(risk: Risk) -> None:
    if risk.status == RiskStatus.CLOSED:
        raise ReadOnly(f"Risk {risk.reference} is closed: reopen it to change it.")


# --- Checks ---------------------------------------------------------------------------------

LABELS = {
    "inherent_likelihood": "The inherent likelihood",
    "inherent_consequence": "The inherent consequence",
    "current_likelihood": "The current likelihood",
    "current_consequence": "The current consequence",
    "target_likelihood": "The target likelihood",
    "target_consequence": "The target consequence",
}


def _check_scores(values: dict) -> None:
    for name in SCORE_FIELDS:
        if name in values:
            try:
                risk_matrix.check_level(values[name], LABELS[name])
            except risk_matrix.MatrixError as error:
                raise InvalidMove(str(error), field=name) from None


def _check_links(ccg, values: dict) -> None:
    committee = values.get("committee")
    if committee is not None and committee.ccg_id != ccg.pk:
        raise InvalidMove(f"Choose one of {ccg.display_name}'s committees.", field="committee")
    priority = values.get("priority")
    if priority is not None and priority.plan.ccg_id != ccg.pk:
        raise InvalidMove(f"Choose a priority of one of {ccg.display_name}'s plans.",
                          field="priority")  # fmt: skip


def _check_reference(ccg, reference: str, risk: Risk | None = None) -> None:
    clash = Risk.objects.filter(ccg=ccg, reference__iexact=reference)
    if risk is not None:
        clash = clash.exclude(pk=risk.pk)
    if clash.exists():
        raise InvalidMove(f"{ccg.display_name} already has a risk {reference}.", field="reference")


def next_reference(ccg) -> str:
    """The next free reference of the form R01, R02 ..."""
    numbers = [
        int(match.group(1))
        for reference in Risk.objects.filter(ccg=ccg).values_list("reference", flat=True)
        if (match := re.fullmatch(r"R(\d+)", reference))
    ]
    return f"R{max(numbers, default=0) + 1:02d}"


def _full_clean(risk: Risk) -> None:
    try:
        risk.full_clean(validate_constraints=False)
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            field, messages = next(iter(error.message_dict.items()))
            raise InvalidMove(messages[0], field=field if field != "__all__" else None) from None
        raise InvalidMove(error.messages[0]) from None


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _today() -> dt.date:
    return timezone.localdate()


# --- Risks ----------------------------------------------------------------------------------


def _record(risk: Risk, *, user, on: dt.date, note: str) -> RiskReview:
    review = RiskReview(
        risk=risk,
        reviewed_on=on,
        likelihood=risk.current_likelihood,
        consequence=risk.current_consequence,
        note=note,
        reviewed_by=user if getattr(user, "is_authenticated", False) else None,
    )
    review.save()
    return review


@transaction.atomic
def create_risk(ccg, *, user, title: str, inherent_likelihood: int, inherent_consequence: int,
                current_likelihood: int, current_consequence: int, target_likelihood: int,
                target_consequence: int, reference: str = "", added_on: dt.date | None = None,
                **values) -> Risk:  # fmt: skip
    """Add a risk to the register of `ccg` (reference R01, R02 ... when none is given); its
    current score starts the score history, dated `added_on` (today)."""
    _require(user, ccg)
    unknown = set(values) - set(RISK_FIELDS)
    if unknown:
        raise InvalidMove(f"These fields cannot be set here: {', '.join(sorted(unknown))}")
    scores = {
        "inherent_likelihood": inherent_likelihood,
        "inherent_consequence": inherent_consequence,
        "current_likelihood": current_likelihood,
        "current_consequence": current_consequence,
        "target_likelihood": target_likelihood,
        "target_consequence": target_consequence,
    }
    _check_scores(scores)
    _check_links(ccg, values)
    reference = (reference or "").strip() or next_reference(ccg)
    _check_reference(ccg, reference)
    risk = Risk(ccg=ccg, reference=reference, title=(title or "").strip(), **scores, **values)
    _full_clean(risk)
    set_history_user(risk, user)
    risk.save()
    _record(risk, user=user, on=added_on or _today(), note=ADDED_NOTE)
    return risk


@transaction.atomic
def update_risk(risk: Risk, *, user, expected_revision: int | None, **values) -> Risk:
    """Change a risk's details and scores (an open risk). Changed current scores are added to
    its score history, dated today."""
    unknown = set(values) - set(RISK_FIELDS)
    if unknown:
        raise InvalidMove(f"These fields cannot be changed here: {', '.join(sorted(unknown))}")
    _require(user, risk.ccg)
    _require_open(risk)
    _check_scores(values)
    _check_links(risk.ccg, values)
    if "reference" in values:
        values["reference"] = (values["reference"] or "").strip()
        if not values["reference"]:
            raise InvalidMove("Enter the risk's reference", field="reference")
        _check_reference(risk.ccg, values["reference"], risk)
    before = (risk.current_likelihood, risk.current_consequence)
    claim_revision(risk, expected_revision, values)
    for name, value in values.items():
        setattr(risk, name, value)
    _full_clean(risk)
    set_history_user(risk, user)
    risk.save()
    if (risk.current_likelihood, risk.current_consequence) != before:
        _record(risk, user=user, on=_today(), note=EDITED_NOTE)
    return risk


@transaction.atomic
def review_risk(risk: Risk, *, user, likelihood: int, consequence: int, note: str = "",
                reviewed_on: dt.date | None = None, next_review_on: dt.date | None = None,
                expected_revision: int | None = None) -> RiskReview:  # fmt: skip
    """Review an open risk: its current scores become these, the review is added to its score
    history, and it is next reviewed on `next_review_on` (three months on by default)."""
    _require(user, risk.ccg)
    _require_open(risk)
    _check_scores({"current_likelihood": likelihood, "current_consequence": consequence})
    today = _today()
    reviewed_on = reviewed_on or today
    if reviewed_on > today:
        raise InvalidMove("The review date must be today or in the past", field="reviewed_on")
    latest = risk.reviews.order_by("-reviewed_on", "-pk").values_list("reviewed_on", flat=True)
    latest = latest.first()
    if latest is not None and reviewed_on < latest:
        raise InvalidMove(
            f"The review date must be on or after the latest review ({latest.day} {latest:%B %Y})",
            field="reviewed_on",
        )
    next_review_on = next_review_on or add_months(reviewed_on, REVIEW_MONTHS)
    if next_review_on <= reviewed_on:
        raise InvalidMove("The next review must be after this review", field="next_review_on")
    values = {"current_likelihood": likelihood, "current_consequence": consequence,
              "last_reviewed_on": reviewed_on, "next_review_on": next_review_on}  # fmt: skip
    claim_revision(risk, expected_revision, values)
    for name, value in values.items():
        setattr(risk, name, value)
    set_history_user(risk, user)
    risk.save()
    return _record(risk, user=user, on=reviewed_on, note=(note or "").strip())


@transaction.atomic
def close_risk(risk: Risk, *, user, expected_revision: int | None = None) -> Risk:
    _require(user, risk.ccg)
    if risk.status == RiskStatus.CLOSED:
        raise InvalidMove(f"Risk {risk.reference} is closed already.")
    return _set_status(risk, RiskStatus.CLOSED, user=user, expected_revision=expected_revision)


@transaction.atomic
def reopen_risk(risk: Risk, *, user, expected_revision: int | None = None) -> Risk:
    _require(user, risk.ccg)
    if risk.status == RiskStatus.OPEN:
        raise InvalidMove(f"Risk {risk.reference} is open already.")
    return _set_status(risk, RiskStatus.OPEN, user=user, expected_revision=expected_revision)


def _set_status(risk: Risk, status: str, *, user, expected_revision) -> Risk:
    claim_revision(risk, expected_revision, {"status": status})
    risk.status = status
    set_history_user(risk, user)
    risk.save()
    return risk


# --- Actions --------------------------------------------------------------------------------


@transaction.atomic
def add_risk_action(risk: Risk, *, user, text: str, owner: str = "",
                    due_on: dt.date | None = None) -> RiskAction:  # fmt: skip
    _require(user, risk.ccg)
    _require_open(risk)
    text = (text or "").strip()
    if not text:
        raise InvalidMove("Enter the action", field="text")
    action = RiskAction(risk=risk, text=text, owner=(owner or "").strip(), due_on=due_on)
    action.full_clean()
    set_history_user(action, user)
    action.save()
    return action


@transaction.atomic
def complete_risk_action(action: RiskAction, *, user, done_on: dt.date | None = None,
                         expected_revision: int | None = None) -> RiskAction:  # fmt: skip
    _require(user, action.risk.ccg)
    _require_open(action.risk)
    if action.done_on is not None:
        raise InvalidMove(f"This action was completed on {action.done_on.day} "
                          f"{action.done_on:%B %Y}.")  # fmt: skip
    done_on = done_on or _today()
    if done_on > _today():
        raise InvalidMove("The completion date must be today or in the past", field="done_on")
    claim_revision(action, expected_revision, {"done_on": done_on})
    action.done_on = done_on
    set_history_user(action, user)
    action.save()
    return action
