"""The planning rules file: `data/planning_rules.yaml` loaded into PlanningRule and the default
QippRagThreshold.

The file is versioned reference data: the planning rules of each financial year (surplus %,
contingency %, transformation reserve or headroom %, running cost allowance per head), each
with its source, and the product's default QIPP RAG thresholds. `load_planning_rules()`
checks the whole file first and refuses it with every problem listed (`PlanningRulesError`,
nothing written); then it creates or updates each rule by (year, code) and the default
thresholds (the row with no CCG). Running it again changes nothing. Rules in the database but
no longer in the file are left alone and reported; a CCG's own thresholds are never touched.

`manage.py load_planning_rules [--dry-run]` runs it; so does the demo (`register_demo_step()`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml
from django.db import transaction

from commissioning.years import FinancialYear

from .models import PlanningRule, QippRagThreshold, RuleBasis

RULES_PATH = Path(__file__).parent / "data" / "planning_rules.yaml"

CODE_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
RULE_KEYS = {"year", "code", "label", "basis", "rate", "source"}
OPTIONAL_RULE_KEYS = {"recurrent", "description", "check"}
THRESHOLD_KEYS = {"green_from", "amber_from"}
OPTIONAL_THRESHOLD_KEYS = {"source"}
TOP_KEYS = {"version", "rules", "rag_thresholds"}
CHECK_MARK = "(check)"
RULE_FIELDS = ("label", "basis", "rate", "recurrent", "description", "source", "order")
THRESHOLD_FIELDS = ("green_from", "amber_from", "source")

_CODE_MAX = PlanningRule._meta.get_field("code").max_length
_LABEL_MAX = PlanningRule._meta.get_field("label").max_length
_SOURCE_MAX = PlanningRule._meta.get_field("source").max_length
_RATE = PlanningRule._meta.get_field("rate")
_PERCENT = QippRagThreshold._meta.get_field("green_from")
_THRESHOLD_SOURCE_MAX = QippRagThreshold._meta.get_field("source").max_length

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


class PlanningRulesError(ValueError):
    """The planning rules file cannot be loaded. `problems` lists every one, in words."""

    def __init__(self, problems: list[str], path: Path | str | None = None):
        self.problems = list(problems)
        where = f"{Path(path).name}: " if path else ""
        count = len(self.problems)
        self.message = (
            f"{where}the planning rules file has {count} problem{'s' if count != 1 else ''}; "
            "nothing was loaded.\n" + "\n".join(f"- {p}" for p in self.problems)
        )
        super().__init__(self.message)


# --- The checked file ------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleEntry:
    year: FinancialYear
    code: str
    label: str
    basis: str
    rate: Decimal
    recurrent: bool
    description: str
    source: str
    order: int

    def values(self) -> dict:
        return {name: getattr(self, name) for name in RULE_FIELDS}


@dataclass(frozen=True)
class ThresholdEntry:
    green_from: Decimal
    amber_from: Decimal
    source: str

    def values(self) -> dict:
        return {name: getattr(self, name) for name in THRESHOLD_FIELDS}


@dataclass(frozen=True)
class RulesFile:
    version: str
    rules: tuple[RuleEntry, ...]
    default_thresholds: ThresholdEntry | None


def read_rules(path: Path | str = RULES_PATH) -> RulesFile:
    """Read and check the file. Raises PlanningRulesError listing every problem."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise PlanningRulesError([f"the file cannot be opened ({exc.strerror})"], path) from exc
    except UnicodeDecodeError as exc:
        raise PlanningRulesError(["the file is not UTF-8 text"], path) from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise PlanningRulesError([f"the file is not valid YAML{line}: {problem}"], path) from exc
    return check_rules(data, path)


def check_rules(data, path: Path | str | None = None) -> RulesFile:
    """The parsed YAML as a RulesFile, or PlanningRulesError listing every problem."""
    if not isinstance(data, dict):
        raise PlanningRulesError(
            ["the file must be a mapping with 'version', 'rules' and 'rag_thresholds' at the top"],
            path,
        )
    problems: list[str] = []
    version = data.get("version")
    if version is None or not str(version).strip():
        problems.append("'version' is missing: give the file a version, e.g. \"2026-11-24\"")
        version = ""
    unknown = sorted(set(map(str, data)) - TOP_KEYS)
    if unknown:
        problems.append(f"unknown top-level keys: {', '.join(unknown)} (is one misspelt?)")
    items = data.get("rules")
    if not isinstance(items, list) or not items:
        problems.append("'rules' must be a list with at least one rule")
        items = []
    entries: list[RuleEntry] = []
    first_seen: dict[tuple, int] = {}
    orders: dict[FinancialYear, int] = {}
    for position, item in enumerate(items, start=1):
        entry = _check_rule(position, item, problems)
        if entry is None:
            continue
        key = (entry.year, entry.code)
        if key in first_seen:
            problems.append(
                f"rule {position} ({entry.code}): {entry.year} has a rule "
                f"{entry.code} already (rule {first_seen[key]})"
            )
            continue
        first_seen[key] = position
        orders[entry.year] = orders.get(entry.year, 0) + 1
        entries.append(replace(entry, order=orders[entry.year]))
    thresholds = _check_thresholds(data.get("rag_thresholds"), problems)
    if problems:
        raise PlanningRulesError(problems, path)
    return RulesFile(version=str(version).strip(), rules=tuple(entries),
                     default_thresholds=thresholds)  # fmt: skip


def _text(item: dict, key: str, where: str, problems: list[str], *, limit: int | None = None,
          required: bool = False) -> str:  # fmt: skip
    value = item.get(key)
    if value is None:
        if required:
            problems.append(f"{where}: the {key} is missing")
        return ""
    if not isinstance(value, str):
        problems.append(f"{where}: the {key} must be text")
        return ""
    value = " ".join(value.split())
    if required and not value:
        problems.append(f"{where}: the {key} is blank")
    if limit is not None and len(value) > limit:
        problems.append(f"{where}: the {key} is longer than {limit} characters")
    return value


def _number(value, what: str, where: str, problems: list[str], model_field) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        problems.append(f"{where}: the {what} {value!r} is not a number")
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        problems.append(f"{where}: the {what} {value!r} is not a number")
        return None
    if not number.is_finite():
        problems.append(f"{where}: the {what} {value!r} is not a finite number")
        return None
    places = model_field.decimal_places
    if number != number.quantize(Decimal(1).scaleb(-places)):
        problems.append(f"{where}: the {what} {value} has more than {places} decimal places")
        return None
    if abs(number) >= Decimal(10) ** (model_field.max_digits - places):
        problems.append(f"{where}: the {what} {value} is too large")
        return None
    return number.quantize(Decimal(1).scaleb(-places))


def _check_rule(position: int, item, problems: list[str]) -> RuleEntry | None:
    if not isinstance(item, dict):
        problems.append(f"rule {position}: must be a mapping of year, code, label, basis ...")
        return None
    code = item.get("code")
    where = f"rule {position}" + (f" ({code})" if isinstance(code, str) and code else "")
    before = len(problems)
    missing = sorted(RULE_KEYS - set(item))
    if missing:
        problems.append(f"{where}: missing {', '.join(missing)}")
    unknown = sorted(set(map(str, item)) - RULE_KEYS - OPTIONAL_RULE_KEYS)
    if unknown:
        problems.append(f"{where}: unknown keys {', '.join(unknown)} (is one misspelt?)")
    year = None
    if "year" in item:
        try:
            year = FinancialYear.parse(str(item["year"]))
        except ValueError as error:
            problems.append(f"{where}: {error}")
    if "code" in item:
        if not isinstance(code, str) or not CODE_RE.match(code):
            problems.append(f"{where}: the code {code!r} must be lower-case letters, digits and "
                            "single hyphens, e.g. surplus or running-cost-allowance")  # fmt: skip
        elif len(code) > _CODE_MAX:
            problems.append(f"{where}: the code is longer than {_CODE_MAX} characters")
    label = _text(item, "label", where, problems, limit=_LABEL_MAX, required="label" in item)
    basis = item.get("basis")
    if "basis" in item and basis not in RuleBasis.values:
        problems.append(f"{where}: basis {basis!r} is not one of {', '.join(RuleBasis.values)}")
    rate = None
    if "rate" in item:
        rate = _number(item["rate"], "rate", where, problems, _RATE)
        if rate is not None and rate < 0:
            problems.append(f"{where}: the rate {rate} is negative")
    recurrent = item.get("recurrent", True)
    if not isinstance(recurrent, bool):
        problems.append(f"{where}: recurrent must be true or false")
    check = item.get("check", False)
    if not isinstance(check, bool):
        problems.append(f"{where}: check must be true or false")
    description = _text(item, "description", where, problems)
    if check is True and CHECK_MARK not in description:
        description = f"{description} {CHECK_MARK}".strip()
    source = _text(item, "source", where, problems, limit=_SOURCE_MAX, required="source" in item)
    if len(problems) > before:
        return None
    return RuleEntry(year=year, code=code, label=label, basis=basis, rate=rate,
                     recurrent=recurrent, description=description, source=source,
                     order=0)  # fmt: skip


def _check_thresholds(data, problems: list[str]) -> ThresholdEntry | None:
    if data is None:
        return None
    where = "rag_thresholds"
    if not isinstance(data, dict) or set(map(str, data)) != {"default"}:
        problems.append(f"{where}: must be a mapping with one key, 'default'")
        return None
    item = data["default"]
    where = "rag_thresholds default"
    if not isinstance(item, dict):
        problems.append(f"{where}: must be a mapping like {{green_from: 0, amber_from: -10}}")
        return None
    before = len(problems)
    missing = sorted(THRESHOLD_KEYS - set(item))
    if missing:
        problems.append(f"{where}: missing {', '.join(missing)}")
    unknown = sorted(set(map(str, item)) - THRESHOLD_KEYS - OPTIONAL_THRESHOLD_KEYS)
    if unknown:
        problems.append(f"{where}: unknown keys {', '.join(unknown)} (is one misspelt?)")
    green = amber = None
    if "green_from" in item:
        green = _number(item["green_from"], "green_from", where, problems, _PERCENT)
    if "amber_from" in item:
        amber = _number(item["amber_from"], "amber_from", where, problems, _PERCENT)
    if green is not None and amber is not None and green < amber:
        problems.append(f"{where}: green_from {green} is below amber_from {amber}: green must "
                        "start at or above amber")  # fmt: skip
    source = _text(item, "source", where, problems, limit=_THRESHOLD_SOURCE_MAX)
    if len(problems) > before:
        return None
    return ThresholdEntry(green_from=green, amber_from=amber, source=source)


# --- Loading ---------------------------------------------------------------------------------


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)


@dataclass
class RulesReport:
    version: str
    dry_run: bool = False
    rules: Counts = field(default_factory=Counts)
    thresholds: Counts = field(default_factory=Counts)
    outcomes: dict[tuple[str, str], str] = field(default_factory=dict)  # (year, code) -> outcome
    threshold_outcome: str | None = None
    not_in_file: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.rules.created or self.rules.updated or self.thresholds.created
                    or self.thresholds.updated)  # fmt: skip

    def lines(self) -> list[str]:
        r, t = self.rules, self.thresholds
        would = "would be " if self.dry_run else ""
        lines = [
            f"Planning rules file version {self.version}"
            + (" (dry run: nothing was changed)" if self.dry_run else ""),
            f"Planning rules:           {r.created} {would}created, {r.updated} {would}updated, "
            f"{r.unchanged} unchanged",
        ]
        if self.threshold_outcome is not None:
            lines.append(
                f"Default RAG thresholds:   {t.created} {would}created, {t.updated} "
                f"{would}updated, {t.unchanged} unchanged"
            )
        if self.not_in_file:
            lines.append("Rules not in the file (left as they are): " + ", ".join(self.not_in_file))
        return lines


def load_planning_rules(path: Path | str = RULES_PATH, *, rules: RulesFile | None = None,
                        dry_run: bool = False) -> RulesReport:  # fmt: skip
    """Check the file, then create or update the planning rules and the default RAG
    thresholds so they match it. Idempotent. Raises PlanningRulesError (nothing written)."""
    rules = rules if rules is not None else read_rules(path)
    report = RulesReport(version=rules.version, dry_run=dry_run)
    with transaction.atomic():
        existing = {(rule.year, rule.code): rule for rule in PlanningRule.objects.all()}
        for entry in rules.rules:
            outcome = _upsert(PlanningRule, existing.get((entry.year, entry.code)),
                              {"year": entry.year, "code": entry.code}, entry.values())  # fmt: skip
            report.rules.add(outcome)
            report.outcomes[(entry.year.label, entry.code)] = outcome
        in_file = {(entry.year, entry.code) for entry in rules.rules}
        report.not_in_file = [f"{year} {code}" for (year, code) in sorted(existing)
                              if (year, code) not in in_file]  # fmt: skip
        if rules.default_thresholds is not None:
            current = QippRagThreshold.objects.filter(ccg__isnull=True).first()
            outcome = _upsert(QippRagThreshold, current, {"ccg": None},
                              rules.default_thresholds.values())  # fmt: skip
            report.thresholds.add(outcome)
            report.threshold_outcome = outcome
        if dry_run:
            transaction.set_rollback(True)
    return report


def _upsert(model, row, key: dict, values: dict) -> str:
    if row is None:
        row = model(**key, **values)
        row.full_clean()
        row.save()
        return CREATED
    changed = [name for name, value in values.items() if getattr(row, name) != value]
    if not changed:
        return UNCHANGED
    for name in changed:
        setattr(row, name, values[name])
    row.full_clean()
    row.save(update_fields=changed)
    return UPDATED


# --- The demo --------------------------------------------------------------------------------

DEMO_STEP = "finance-planning-rules"


def load_demo_rules(ctx) -> None:
    """Demo step: load the file and count each rule (and the default thresholds)."""
    report = load_planning_rules()
    for outcome in report.outcomes.values():
        ctx.report.count(PlanningRule, outcome)
    if report.threshold_outcome is not None:
        ctx.report.count(QippRagThreshold, report.threshold_outcome)


def register_demo_step() -> None:
    """Add the planning rules to `manage.py load_demo` (before the finance demo uses them)."""
    from commissioning.demo.loader import register_step

    register_step(load_demo_rules, DEMO_STEP)
