"""Every write to NHS England assurance checkpoints goes through here: the checkpoint (CCG,
year, quarter, date, assessor, rating in the year's scheme), its balanced scorecard results,
findings by area and agreed actions. Pages, the API and the demo loader share these rules.

Who writes: NHS England assurers (Role.ASSURER, any CCG) and staff; `user=None` is the system
itself (the demo loader). Who reads: the CCG's internal roles (planning managers, governing
body members, viewers), assurers and staff (`AssuranceCheckpoint.objects.for_user`); scrutiny
members and other CCGs do not.

Refusals are `plans.errors`: NotAllowed (403) for the user's role, InvalidMove with `.field`
(400) for bad input, EditConflict (409/412) when someone saved the checkpoint first. A change
to a checkpoint's parts counts as a change to the checkpoint: its revision goes up, so an API
client's ETag covers the whole record. History (simple-history) records who changed it.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from commissioning.access import ccg_scope
from commissioning.years import FinancialYear
from plans.errors import InvalidMove, NotAllowed
from plans.services.guards import change_reason, claim_revision, set_history_user

from .models import (
    RATINGS,
    AgreedAction,
    AssuranceCheckpoint,
    Finding,
    RatingScheme,
    ScorecardResult,
)
from .queries import INTERNAL_ROLES

CHECKPOINT_FIELDS = ("held_on", "assessor", "rating_scheme", "rating", "summary", "letter_date",
                     "source_note")  # fmt: skip
# Set when a checkpoint is created; a different CCG, year or quarter is a different checkpoint.
FIXED_FIELDS = ("ccg", "year", "quarter")
# The parts of a checkpoint, by related name: (model, the fields a payload item may carry).
PARTS = {
    "scorecard": (ScorecardResult, ("metric", "target", "result", "met")),
    "findings": (Finding, ("area", "text")),
    "actions": (AgreedAction, ("text", "owner", "due_on", "done_on")),
}
PART_NAMES = {"scorecard": "scorecard result", "findings": "finding", "actions": "agreed action"}
_TEXT = {"assessor", "rating", "summary", "source_note"}
IAF_FIRST_YEAR = FinancialYear(2016)  # the Improvement and Assessment Framework, 2016/17 on


def a(words: str) -> str:
    """ "a finding", "an agreed action"."""
    return f"{'an' if words[:1] in 'aeiou' else 'a'} {words}"


# --- Who may read and write -------------------------------------------------------------------


def can_read_assurance(user, ccg) -> bool:
    """Whether `user` reads the assurance of `ccg`: its internal roles, assurers and staff."""
    scope = ccg_scope(user)
    return scope.everything or ccg.pk in scope.ccg_ids(set(INTERNAL_ROLES))


def assurance_refusal(user) -> str | None:
    """Why `user` may not record or change assurance checkpoints, or None: assurers (whose
    scope is every CCG) and staff may."""
    if user is None or ccg_scope(user).everything:
        return None
    return "Only NHS England assurers record and change assurance checkpoints."


def _require(user) -> None:
    refusal = assurance_refusal(user)
    if refusal:
        raise NotAllowed(refusal)


# --- Checks -----------------------------------------------------------------------------------


def scheme_for(year: FinancialYear) -> str:
    """The rating scheme of a year: 2013/14's assurance framework until 2015/16, the
    Improvement and Assessment Framework from 2016/17."""
    return RatingScheme.IAF_2016 if year >= IAF_FIRST_YEAR else RatingScheme.ASSURANCE_2013


def ratings_text(scheme: str) -> str:
    names = RATINGS[RatingScheme(scheme)]
    return ", ".join(names[:-1]) + f" or {names[-1]}"


def check_rating(scheme: str, rating: str) -> str:
    if scheme not in RatingScheme.values:
        raise InvalidMove("Choose the rating scheme of the year.", field="rating_scheme")
    rating = (rating or "").strip()
    if rating and rating not in RATINGS[RatingScheme(scheme)]:
        label = RatingScheme(scheme).label.split(":")[0]
        raise InvalidMove(
            f"{rating} is not a rating of the {label} scheme: choose {ratings_text(scheme)}, or "
            "leave the rating empty.",
            field="rating",
        )
    return rating


def _check_place(ccg, year, quarter, checkpoint: AssuranceCheckpoint | None = None) -> None:
    if quarter not in (1, 2, 3, 4):
        raise InvalidMove("Choose the quarter: 1, 2, 3 or 4.", field="quarter")
    clash = AssuranceCheckpoint.objects.filter(ccg=ccg, year=year, quarter=quarter)
    if checkpoint is not None:
        clash = clash.exclude(pk=checkpoint.pk)
    if clash.exists():
        raise InvalidMove(
            f"{ccg.display_name} has a Q{quarter} {year.label} checkpoint already: change that "
            "one.",
            field="quarter",
        )


def _check_dates(held_on, letter_date) -> None:
    if held_on and letter_date and letter_date < held_on:
        raise InvalidMove(
            "The letter's date must be on or after the day the checkpoint was held.",
            field="letter_date",
        )


def _full_clean(instance, prefix: str = "") -> None:
    try:
        instance.full_clean()
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        name = f"{prefix}{field}" if field != "__all__" else (prefix.rstrip(".") or None)
        raise InvalidMove(messages[0], field=name) from None


def _save(checkpoint: AssuranceCheckpoint, user, reason: str = "") -> None:
    _full_clean(checkpoint)
    set_history_user(checkpoint, user)
    if reason:
        checkpoint._change_reason = change_reason(reason)
    checkpoint.save()


# --- Checkpoints ------------------------------------------------------------------------------


@transaction.atomic
def create_checkpoint(ccg, *, user, year, quarter: int, held_on: dt.date | None = None,
                      assessor: str = "", rating_scheme: str | None = None, rating: str = "",
                      summary: str = "", letter_date: dt.date | None = None,
                      source_note: str = "", scorecard: list | None = None,
                      findings: list | None = None,
                      actions: list | None = None) -> AssuranceCheckpoint:  # fmt: skip
    """A checkpoint of `ccg` for `quarter` of `year`, with any parts given (lists of dicts:
    scorecard {metric, target, result, met}, findings {area, text}, actions {text, owner,
    due_on, done_on})."""
    _require(user)
    year = FinancialYear.parse(year)
    _check_place(ccg, year, quarter)
    scheme = rating_scheme or scheme_for(year)
    rating = check_rating(scheme, rating)
    _check_dates(held_on, letter_date)
    checkpoint = AssuranceCheckpoint(
        ccg=ccg, year=year, quarter=quarter, held_on=held_on, assessor=(assessor or "").strip(),
        rating_scheme=scheme, rating=rating, summary=summary or "", letter_date=letter_date,
        source_note=source_note or "",
    )  # fmt: skip
    _save(checkpoint, user, "Checkpoint recorded")
    for name, items in (("scorecard", scorecard), ("findings", findings), ("actions", actions)):
        if items:
            _sync_parts(checkpoint, name, items)
    return checkpoint


@transaction.atomic
def update_checkpoint(checkpoint: AssuranceCheckpoint, *, user, expected_revision: int | None,
                      **values) -> AssuranceCheckpoint:  # fmt: skip
    """Change the checkpoint's fields. `scorecard`, `findings` or `actions`, when given, set
    that list whole: items with the `id` of one of its parts change it, items without an id
    are added, parts left out are deleted; the list's order is the parts' order."""
    _require(user)
    parts = {name: values.pop(name) for name in PARTS if name in values}
    for name in FIXED_FIELDS:
        if name in values and values[name] != getattr(checkpoint, name):
            raise InvalidMove(
                "The CCG, year and quarter are set when a checkpoint is recorded: record "
                "another checkpoint instead.",
                field=name,
            )
        values.pop(name, None)
    unknown = set(values) - set(CHECKPOINT_FIELDS)
    if unknown:
        raise InvalidMove(f"These fields cannot be changed here: {', '.join(sorted(unknown))}")
    if "rating_scheme" in values and not values["rating_scheme"]:
        values["rating_scheme"] = checkpoint.rating_scheme
    scheme = values.get("rating_scheme", checkpoint.rating_scheme)
    if "rating_scheme" in values or "rating" in values:
        values["rating"] = check_rating(scheme, values.get("rating", checkpoint.rating))
    _check_dates(values.get("held_on", checkpoint.held_on),
                 values.get("letter_date", checkpoint.letter_date))  # fmt: skip
    attempted = {**values, **parts}
    claim_revision(checkpoint, expected_revision, attempted)
    for name, value in values.items():
        setattr(checkpoint, name, "" if value is None and name in _TEXT else value)
    _save(checkpoint, user, "Checkpoint changed")
    for name, items in parts.items():
        _sync_parts(checkpoint, name, items or [])
    return checkpoint


@transaction.atomic
def delete_checkpoint(checkpoint: AssuranceCheckpoint, *, user) -> None:
    _require(user)
    set_history_user(checkpoint, user)
    checkpoint.delete()


def _sync_parts(checkpoint: AssuranceCheckpoint, name: str, items: list) -> None:
    model, fields = PARTS[name]
    existing = {part.pk: part for part in model.objects.filter(checkpoint=checkpoint)}
    kept = set()
    for index, item in enumerate(items):
        item = dict(item)
        part_id = item.pop("id", None)
        unknown = set(item) - set(fields)
        if unknown:
            what = a(PART_NAMES[name]).capitalize()
            raise InvalidMove(f"{what} has no {', '.join(sorted(unknown))}.",
                              field=f"{name}.{index}")  # fmt: skip
        if part_id is None:
            part = model(checkpoint=checkpoint)
        elif part_id in existing and part_id not in kept:
            part = existing[part_id]
        else:
            raise InvalidMove(f"There is no {PART_NAMES[name]} {part_id} in this checkpoint.",
                              field=f"{name}.{index}.id")  # fmt: skip
        for field, value in item.items():
            setattr(part, field, _cleaned(field, value))
        part.order = index + 1
        _check_part(name, part, prefix=f"{name}.{index}.")
        part.save()
        kept.add(part.pk)
    model.objects.filter(checkpoint=checkpoint).exclude(pk__in=kept).delete()


def _cleaned(field: str, value):
    if field in {"due_on", "done_on", "met"}:
        return value
    return (value or "").strip()


def _check_part(name: str, part, prefix: str = "") -> None:
    required = {"scorecard": ("metric", "the metric"), "findings": ("area", "the area"),
                "actions": ("text", "the action")}[name]  # fmt: skip
    if not getattr(part, required[0]):
        raise InvalidMove(f"Enter {required[1]}.", field=f"{prefix}{required[0]}")
    if name == "findings" and not part.text:
        raise InvalidMove("Enter the finding.", field=f"{prefix}text")
    _full_clean(part, prefix)


# --- One part at a time (the pages) -----------------------------------------------------------


def _touch(checkpoint: AssuranceCheckpoint, user, reason: str) -> None:
    """Count a change to a part as a change to its checkpoint (revision and history)."""
    checkpoint = AssuranceCheckpoint.objects.select_for_update().get(pk=checkpoint.pk)
    claim_revision(checkpoint, None, {})
    set_history_user(checkpoint, user)
    checkpoint._change_reason = change_reason(reason)
    checkpoint.save()


def part_model(name: str):
    return PARTS[name][0]


@transaction.atomic
def add_part(checkpoint: AssuranceCheckpoint, name: str, *, user, **values):
    """Add a scorecard result, finding or agreed action (`name`: scorecard, findings,
    actions) at the end of its list."""
    _require(user)
    model, fields = PARTS[name]
    unknown = set(values) - set(fields)
    if unknown:
        raise InvalidMove(f"These fields cannot be set here: {', '.join(sorted(unknown))}")
    last = model.objects.filter(checkpoint=checkpoint).aggregate(last=Max("order"))["last"]
    part = model(checkpoint=checkpoint, order=(last or 0) + 1)
    for field, value in values.items():
        setattr(part, field, _cleaned(field, value))
    _check_part(name, part)
    part.save()
    _touch(checkpoint, user, f"Added {a(PART_NAMES[name])}")
    return part


@transaction.atomic
def update_part(part, name: str, *, user, **values):
    _require(user)
    _model, fields = PARTS[name]
    unknown = set(values) - set(fields)
    if unknown:
        raise InvalidMove(f"These fields cannot be changed here: {', '.join(sorted(unknown))}")
    for field, value in values.items():
        setattr(part, field, _cleaned(field, value))
    _check_part(name, part)
    part.save()
    _touch(part.checkpoint, user, f"Changed {a(PART_NAMES[name])}")
    return part


@transaction.atomic
def delete_part(part, name: str, *, user) -> None:
    _require(user)
    checkpoint = part.checkpoint
    part.delete()
    _touch(checkpoint, user, f"Deleted {a(PART_NAMES[name])}")
