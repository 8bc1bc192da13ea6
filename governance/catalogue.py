"""The standards catalogue: `data/standards.yaml` loaded into Standard and StandardThreshold.

The file is versioned data (the NHS Constitution standards and the other national measures,
each with the thresholds that applied from and to a date). `load_catalogue()` checks the whole
file first and refuses it with every problem listed (`CatalogueError`); then it creates or
updates the national standards by code and makes each one's thresholds exactly those of the
file (matched by the date they apply from). Running it again changes nothing. Standards in
the database but no longer in the file are left alone (their measurements keep them) and
reported; local KPIs (a CCG's own) are never touched.

`manage.py load_standards` runs it; so does the demo (`register_demo_step()`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml
from django.db import transaction

from .models import Direction, Frequency, Standard, StandardGroup, StandardThreshold, Unit

CATALOGUE_PATH = Path(__file__).parent / "data" / "standards.yaml"

CODE_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
STANDARD_KEYS = {"code", "name", "group", "unit", "direction", "frequency", "thresholds"}
OPTIONAL_STANDARD_KEYS = {"source", "description"}
THRESHOLD_KEYS = {"value", "from"}
OPTIONAL_THRESHOLD_KEYS = {"to", "note", "check"}
# The fields of a national standard the file decides.
STANDARD_FIELDS = (
    "name",
    "group",
    "unit",
    "direction",
    "frequency",
    "source",
    "description",
    "order",
    "catalogue_version",
)
THRESHOLD_FIELDS = ("value", "applies_to", "note")

_CODE_MAX = Standard._meta.get_field("code").max_length
_NAME_MAX = Standard._meta.get_field("name").max_length
_SOURCE_MAX = Standard._meta.get_field("source").max_length
_VERSION_MAX = Standard._meta.get_field("catalogue_version").max_length
_NOTE_MAX = StandardThreshold._meta.get_field("note").max_length
_VALUE_FIELD = StandardThreshold._meta.get_field("value")

CREATED, UPDATED, UNCHANGED, REMOVED = "created", "updated", "unchanged", "removed"


class CatalogueError(ValueError):
    """The catalogue file cannot be loaded. `problems` lists every one, in words."""

    def __init__(self, problems: list[str], path: Path | str | None = None):
        self.problems = list(problems)
        where = f"{Path(path).name}: " if path else ""
        count = len(self.problems)
        self.message = (
            f"{where}the standards catalogue has {count} problem{'s' if count != 1 else ''}; "
            "nothing was loaded.\n" + "\n".join(f"- {p}" for p in self.problems)
        )
        super().__init__(self.message)


# --- The checked file ------------------------------------------------------------------------


class Problems:
    """The problems of one part of the file, each prefixed with where it is."""

    def __init__(self, found: list[str], where: str):
        self.found = found
        self.where = where

    def __call__(self, text: str) -> None:
        self.found.append(f"{self.where}: {text}")

    def __len__(self) -> int:
        return len(self.found)


@dataclass(frozen=True)
class ThresholdEntry:
    value: Decimal | None
    applies_from: dt.date
    applies_to: dt.date | None
    note: str


@dataclass(frozen=True)
class StandardEntry:
    code: str
    name: str
    group: str
    unit: str
    direction: str
    frequency: str
    source: str
    description: str
    order: int
    thresholds: tuple[ThresholdEntry, ...]


@dataclass(frozen=True)
class Catalogue:
    version: str
    standards: tuple[StandardEntry, ...]


def read_catalogue(path: Path | str = CATALOGUE_PATH) -> Catalogue:
    """Read and check the catalogue file. Raises CatalogueError listing every problem."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogueError([f"the file cannot be opened ({exc.strerror})"], path) from exc
    except UnicodeDecodeError as exc:
        raise CatalogueError(["the file is not UTF-8 text"], path) from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise CatalogueError([f"the file is not valid YAML{line}: {problem}"], path) from exc
    return check_catalogue(data, path)


def check_catalogue(data, path: Path | str | None = None) -> Catalogue:
    """The parsed YAML as a Catalogue, or CatalogueError listing every problem."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise CatalogueError(
            ["the file must be a mapping with 'version' and 'standards' at the top"], path
        )
    version = data.get("version")
    if version is None or not str(version).strip():
        problems.append("'version' is missing: give the catalogue a version, e.g. \"2026-11-23\"")
        version = ""
    elif len(str(version)) > _VERSION_MAX:
        problems.append(f"'version' is longer than {_VERSION_MAX} characters")
    unknown = sorted(set(data) - {"version", "standards"})
    if unknown:
        problems.append(f"unknown top-level keys: {', '.join(map(str, unknown))}")
    items = data.get("standards")
    if not isinstance(items, list) or not items:
        problems.append("'standards' must be a list with at least one standard")
        items = []

    entries: list[StandardEntry] = []
    first_seen: dict[str, int] = {}
    for position, item in enumerate(items, start=1):
        entry = _check_standard(position, item, problems)
        if entry is None:
            continue
        if entry.code in first_seen:
            problems.append(
                f"standard {position} ({entry.code}): the code is used again; standard "
                f"{first_seen[entry.code]} has it already"
            )
            continue
        first_seen[entry.code] = position
        entries.append(entry)
    if problems:
        raise CatalogueError(problems, path)
    return Catalogue(version=str(version).strip(), standards=tuple(entries))


def _check_standard(position: int, item, problems: list[str]) -> StandardEntry | None:
    if not isinstance(item, dict):
        problems.append(f"standard {position}: must be a mapping of code, name, group ...")
        return None
    code = item.get("code")
    label = f"standard {position}" + (f" ({code})" if isinstance(code, str) and code else "")
    before = len(problems)
    problem = Problems(problems, label)

    missing = sorted(STANDARD_KEYS - set(item))
    if missing:
        problem(f"missing {', '.join(missing)}")
    unknown = sorted(set(map(str, item)) - STANDARD_KEYS - OPTIONAL_STANDARD_KEYS)
    if unknown:
        problem(f"unknown keys {', '.join(unknown)} (is one misspelt?)")

    if "code" in item:
        if not isinstance(code, str) or not CODE_RE.match(code):
            problem(
                f"the code {code!r} must be lower-case letters, digits and single hyphens, "
                "e.g. ae-4-hours"
            )
        elif len(code) > _CODE_MAX:
            problem(f"the code is longer than {_CODE_MAX} characters")
    name = item.get("name")
    if "name" in item and (not isinstance(name, str) or not name.strip()):
        problem("the name is blank")
    elif isinstance(name, str) and len(name.strip()) > _NAME_MAX:
        problem(f"the name is longer than {_NAME_MAX} characters")
    for key, choices in (
        ("group", StandardGroup),
        ("unit", Unit),
        ("direction", Direction),
        ("frequency", Frequency),
    ):
        if key in item and item[key] not in choices.values:
            problem(f"{key} {item[key]!r} is not one of {', '.join(choices.values)}")
    for key in ("source", "description"):
        if item.get(key) is not None and not isinstance(item[key], str):
            problem(f"{key} must be text")
    if isinstance(item.get("source"), str) and len(item["source"].strip()) > _SOURCE_MAX:
        problem(f"the source is longer than {_SOURCE_MAX} characters")
    thresholds = ()
    if "thresholds" in item:
        thresholds = _check_thresholds(item["thresholds"], item.get("unit"), problem)
    if len(problems) > before:
        return None
    return StandardEntry(
        code=code,
        name=name.strip(),
        group=item["group"],
        unit=item["unit"],
        direction=item["direction"],
        frequency=item["frequency"],
        source=(item.get("source") or "").strip(),
        description=(item.get("description") or "").strip(),
        order=position,
        thresholds=thresholds,
    )


def _date(value, what: str, problem) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    problem(f"{what} {value!r} is not a date like 2012-04-01")
    return None


def _number(value, problem, where: str) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        problem(f"{where}: the value {value!r} is not a number (write null for no standard)")
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        problem(f"{where}: the value {value!r} is not a number (write null for no standard)")
        return None
    if not number.is_finite():
        problem(f"{where}: the value {value!r} is not a finite number")
        return None
    places = _VALUE_FIELD.decimal_places
    if number != number.quantize(Decimal(1).scaleb(-places)):
        problem(f"{where}: the value {value} has more than {places} decimal places")
        return None
    if abs(number) >= Decimal(10) ** (_VALUE_FIELD.max_digits - places):
        problem(f"{where}: the value {value} is too large")
        return None
    return number


def _check_thresholds(items, unit, problem: Problems) -> tuple[ThresholdEntry, ...]:
    if not isinstance(items, list) or not items:
        problem(
            "thresholds must be a list with at least one entry (value: null means no "
            "operational standard)"
        )
        return ()
    entries: list[ThresholdEntry] = []
    for number, item in enumerate(items, start=1):
        where = f"threshold {number}"
        if not isinstance(item, dict):
            problem(f"{where}: must be a mapping like {{value: 95, from: 2012-04-01}}")
            continue
        missing = sorted(THRESHOLD_KEYS - set(item))
        if missing:
            problem(f"{where}: missing {', '.join(missing)}")
            continue
        unknown = sorted(set(map(str, item)) - THRESHOLD_KEYS - OPTIONAL_THRESHOLD_KEYS)
        if unknown:
            problem(f"{where}: unknown keys {', '.join(unknown)} (is one misspelt?)")
        count = len(problem)
        value = _number(item["value"], problem, where)
        if value is not None and unit == Unit.PERCENT and not 0 <= value <= 100:
            problem(f"{where}: a percentage threshold must be between 0 and 100, not {value}")
        applies_from = _date(item["from"], f"{where}: 'from'", problem)
        applies_to = None
        if item.get("to") is not None:
            applies_to = _date(item["to"], f"{where}: 'to'", problem)
        if applies_from and applies_to and applies_to < applies_from:
            problem(f"{where}: 'to' {applies_to} is before 'from' {applies_from}")
        note = item.get("note") or ""
        if not isinstance(note, str):
            problem(f"{where}: the note must be text")
        elif len(note) > _NOTE_MAX:
            problem(f"{where}: the note is longer than {_NOTE_MAX} characters")
        if "check" in item and not isinstance(item["check"], bool):
            problem(f"{where}: check must be true or false")
        if len(problem) == count and applies_from is not None:
            entries.append(ThresholdEntry(value, applies_from, applies_to, note.strip()))
    ordered = sorted(entries, key=lambda t: t.applies_from)
    for earlier, later in zip(ordered, ordered[1:], strict=False):
        if earlier.applies_from == later.applies_from:
            problem(f"two thresholds apply from {later.applies_from}")
        elif earlier.applies_to is None or earlier.applies_to >= later.applies_from:
            until = (
                "with no end date" if earlier.applies_to is None else (f"to {earlier.applies_to}")
            )
            problem(
                f"the threshold from {earlier.applies_from} ({until}) overlaps the one from "
                f"{later.applies_from}: end the earlier one before the later one starts"
            )
    return tuple(ordered)


# --- Loading ---------------------------------------------------------------------------------


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0

    def add(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)


@dataclass
class CatalogueReport:
    version: str
    dry_run: bool = False
    standards: Counts = field(default_factory=Counts)
    thresholds: Counts = field(default_factory=Counts)
    outcomes: dict[str, str] = field(default_factory=dict)  # code -> created/updated/unchanged
    not_in_file: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        s, t = self.standards, self.thresholds
        return bool(s.created or s.updated or t.created or t.updated or t.removed)

    def lines(self) -> list[str]:
        s, t = self.standards, self.thresholds
        would = "would be " if self.dry_run else ""
        lines = [
            f"Standards catalogue version {self.version}"
            + (" (dry run: nothing was changed)" if self.dry_run else ""),
            f"Standards:  {s.created} {would}created, {s.updated} {would}updated, "
            f"{s.unchanged} unchanged",
            f"Thresholds: {t.created} {would}created, {t.updated} {would}updated, "
            f"{t.removed} {would}removed, {t.unchanged} unchanged",
        ]
        if self.not_in_file:
            lines.append(
                "National standards not in the file (left as they are): "
                + ", ".join(self.not_in_file)
            )
        return lines


def load_catalogue(
    path: Path | str = CATALOGUE_PATH, *, catalogue: Catalogue | None = None,
    dry_run: bool = False,
) -> CatalogueReport:  # fmt: skip
    """Check the catalogue file, then create or update the national standards and their
    thresholds so they match it. Idempotent. Raises CatalogueError (nothing written)."""
    catalogue = catalogue if catalogue is not None else read_catalogue(path)
    report = CatalogueReport(version=catalogue.version, dry_run=dry_run)
    codes = [entry.code for entry in catalogue.standards]
    existing = {
        s.code: s for s in Standard.objects.filter(code__in=codes).prefetch_related("thresholds")
    }
    clashes = [
        f"the code {code} is already used by a local KPI of CCG {s.ccg_id and s.ccg.ods_code}: "
        "rename that KPI first"
        for code, s in existing.items()
        if s.ccg_id is not None
    ]
    if clashes:
        raise CatalogueError(clashes, path)

    with transaction.atomic():
        for entry in catalogue.standards:
            standard = existing.get(entry.code)
            outcome = _upsert_standard(entry, standard, catalogue.version, report, dry_run)
            report.standards.add(outcome)
            report.outcomes[entry.code] = outcome
        report.not_in_file = sorted(
            Standard.objects.national().exclude(code__in=codes).values_list("code", flat=True)
        )
        if dry_run:
            transaction.set_rollback(True)
    return report


def _upsert_standard(entry: StandardEntry, standard: Standard | None, version: str,
                     report: CatalogueReport, dry_run: bool) -> str:  # fmt: skip
    values = {
        "name": entry.name,
        "group": entry.group,
        "unit": entry.unit,
        "direction": entry.direction,
        "frequency": entry.frequency,
        "source": entry.source,
        "description": entry.description,
        "order": entry.order,
        "catalogue_version": version,
    }
    if standard is None:
        standard = Standard(code=entry.code, ccg=None, **values)
        standard.full_clean()
        standard.save()
        for threshold in entry.thresholds:
            _new_threshold(standard, threshold).save()
            report.thresholds.add(CREATED)
        return CREATED

    # The version alone changing does not make a standard "updated".
    changed = [name for name in STANDARD_FIELDS if getattr(standard, name) != values[name]]
    substantive = [name for name in changed if name != "catalogue_version"]
    thresholds_changed = _sync_thresholds(standard, entry.thresholds, report)
    if changed:
        for name in changed:
            setattr(standard, name, values[name])
        standard.full_clean()
        standard.save(update_fields=changed)
    return UPDATED if substantive or thresholds_changed else UNCHANGED


def _new_threshold(standard: Standard, entry: ThresholdEntry) -> StandardThreshold:
    threshold = StandardThreshold(
        standard=standard,
        value=entry.value,
        applies_from=entry.applies_from,
        applies_to=entry.applies_to,
        note=entry.note,
    )
    threshold.full_clean()
    return threshold


def _sync_thresholds(standard: Standard, entries, report: CatalogueReport) -> bool:
    """Make the standard's thresholds exactly `entries` (matched by applies_from)."""
    current = {row.applies_from: row for row in standard.thresholds.all()}
    wanted = {entry.applies_from: entry for entry in entries}
    changed = False
    # Removed first, then updated, then created: a period shortened to make room for a new
    # one never overlaps it on the way.
    for day, row in current.items():
        if day not in wanted:
            row.delete()
            report.thresholds.add(REMOVED)
            changed = True
    for day, entry in wanted.items():
        row = current.get(day)
        if row is None:
            continue
        values = {"value": entry.value, "applies_to": entry.applies_to, "note": entry.note}
        diff = [name for name in THRESHOLD_FIELDS if getattr(row, name) != values[name]]
        if not diff:
            report.thresholds.add(UNCHANGED)
            continue
        for name in diff:
            setattr(row, name, values[name])
        row.full_clean()
        row.save(update_fields=diff)
        report.thresholds.add(UPDATED)
        changed = True
    for day, entry in wanted.items():
        if day not in current:
            _new_threshold(standard, entry).save()
            report.thresholds.add(CREATED)
            changed = True
    return changed


# --- The demo --------------------------------------------------------------------------------


def load_demo_catalogue(ctx) -> None:
    """Demo step: load the catalogue and count each standard in the demo report."""
    report = load_catalogue()
    for outcome in report.outcomes.values():
        ctx.report.count(Standard, outcome)
    for outcome in (CREATED, UPDATED, UNCHANGED):
        for _ in range(getattr(report.thresholds, outcome)):
            ctx.report.count(StandardThreshold, outcome)


def register_demo_step() -> None:
    """Add the catalogue to `manage.py load_demo` (before the demo series that use it)."""
    from commissioning.demo.loader import register_step

    register_step(load_demo_catalogue, "governance-standards")
