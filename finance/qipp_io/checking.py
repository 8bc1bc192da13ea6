"""Checking every row of a QIPP report against what the database holds, before anything is
written: each row's cells, the derived columns against the months, and what the row would do
(create, update or leave unchanged a scheme). What the rows are checked against (the CCG's
programmes, the year's schemes and their months, the providers named) is read in a fixed
number of queries, however many rows the file has."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from commissioning.models import Provider
from commissioning.spreadsheets import Sheet
from priorities.models import DeliveryStatus

from ..models import QippMonth, QippProgramme, QippScheme
from ..qipp_figures import MONTHS, ZERO, Month, figures
from .cells import (
    CellError,
    figure,
    is_blank,
    parse_activity,
    parse_choice,
    parse_money,
    parse_percent,
    parse_text,
    shown,
    tolerance,
)
from .columns import (
    DERIVED_COLUMNS,
    KEY,
    MONTH_FIGURES,
    STATUS_CHOICES,
    STATUS_LABELS,
    UNIT_CHOICES,
    UNIT_LABELS,
    month_column,
)

HALF_PENNY = Decimal("0.005")


def _max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


@dataclass
class RowError:
    row: int | None
    column: str | None
    cell: str | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "cell": self.cell,
                "message": self.message}  # fmt: skip


def format_error(error: dict[str, Any]) -> str:
    """One stored error as a sentence: "Row 7, Gross plan (K7): the gross plan ..."."""
    where = []
    if error.get("row"):
        where.append(f"Row {error['row']}")
    if error.get("column"):
        cell = f" ({error['cell']})" if error.get("cell") else ""
        where.append(f"{error['column']}{cell}")
    prefix = ", ".join(where)
    return f"{prefix}: {error['message']}" if prefix else error["message"]


Figures3 = tuple[Decimal, Decimal | None, Decimal | None]  # plan, actual, forecast
EMPTY_MONTH: Figures3 = (ZERO, None, None)


@dataclass
class Stored:
    """A scheme as the database holds it, with its months (plan, actual, forecast)."""

    scheme: QippScheme
    months: dict[int, Figures3] = field(default_factory=dict)
    month_rows: dict[int, QippMonth] = field(default_factory=dict)


@dataclass
class Lookups:
    programmes: dict[str, QippProgramme]  # by exact name
    programmes_folded: dict[str, list[QippProgramme]]  # by casefolded name
    schemes: dict[str, Stored]  # by reference
    providers: dict[str, Provider]  # by ODS code
    next_order: int

    @classmethod
    def load(cls, sheet: Sheet, *, ccg, year) -> Lookups:
        """Four queries: programmes, schemes, their months, the providers the file names."""
        programmes = list(QippProgramme.objects.filter(ccg=ccg))
        folded: dict[str, list[QippProgramme]] = {}
        for programme in programmes:
            folded.setdefault(programme.name.casefold(), []).append(programme)
        schemes = {
            scheme.reference: Stored(scheme)
            for scheme in QippScheme.objects.filter(ccg=ccg, year=year).select_related(
                "qipp_programme", "provider"
            )
        }
        by_id = {stored.scheme.pk: stored for stored in schemes.values()}
        if by_id:
            for month in QippMonth.objects.filter(scheme__ccg=ccg, scheme__year=year):
                stored = by_id.get(month.scheme_id)
                if stored is not None:
                    stored.months[month.month] = (month.plan, month.actual, month.forecast)
                    stored.month_rows[month.month] = month
        codes = {shown(sheet.value(cells, KEY["Provider"])).upper() for _, cells in sheet.rows} - {
            ""
        }
        providers = {}
        if codes:
            providers = {p.ods_code: p for p in Provider.objects.filter(ods_code__in=codes)}
        next_order = max((p.order for p in programmes), default=-1) + 1
        return cls({p.name: p for p in programmes}, folded, schemes, providers, next_order)


@dataclass
class NewProgramme:
    name: str
    row: int
    order: int


@dataclass
class QippRow:
    """One checked row: the scheme's values for the columns the file has, and what the row
    does to the stored scheme."""

    row: int
    reference: str
    project: str
    programme_name: str
    programme: QippProgramme | None  # None: a programme the import creates
    values: dict[str, Any]  # QippScheme field -> value (qipp_programme set on writing)
    months: dict[int, dict[str, Decimal | None]]  # month -> figure -> value, as given
    stored: Stored | None = None
    action: str = "create"
    changes: list[str] = field(default_factory=list)  # column headings
    scheme_changes: dict[str, Any] = field(default_factory=dict)
    month_changes: dict[int, dict[str, Decimal | None]] = field(default_factory=dict)

    def preview(self) -> dict[str, Any]:
        return {"kind": "scheme", "row": self.row, "reference": self.reference,
                "project": self.project, "programme": self.programme_name,
                "action": self.action, "changes": list(self.changes)}  # fmt: skip


@dataclass
class CheckResult:
    rows_read: int = 0
    rows: list[QippRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    new_programmes: dict[str, NewProgramme] = field(default_factory=dict)  # casefold -> new

    @property
    def rows_with_errors(self) -> int:
        return len({e.row for e in self.errors})

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    def preview(self) -> list[dict[str, Any]]:
        programmes = [
            {"kind": "programme", "row": new.row, "reference": "", "project": "",
             "programme": new.name, "action": "create", "changes": []}
            for new in self.new_programmes.values()
        ]  # fmt: skip
        return programmes + [row.preview() for row in self.rows]


def check_sheet(sheet: Sheet, lookups: Lookups) -> CheckResult:
    result = CheckResult(rows_read=len(sheet.rows))
    seen: dict[str, int] = {}
    read_rows = []
    for number, cells in sheet.rows:
        errors: list[RowError] = []
        row = _check_row(sheet, number, cells, lookups, result, errors)
        if row is not None:
            read_rows.append((number, cells, row, errors))
        if row is not None:
            first = seen.get(row.reference)
            if first is not None:
                errors.append(
                    RowError(
                        number,
                        "Unique ref",
                        sheet.cell_ref(KEY["Unique ref"], number),
                        f"row {first} has the same unique ref '{row.reference}': each scheme "
                        "appears once in a report",
                    )
                )
            else:
                seen[row.reference] = number
        if errors:
            result.errors.extend(errors)
        else:
            _compare(row)
            result.rows.append(row)
    # The derived columns count the year to date to the report month: the latest month with
    # an actual among the schemes of the year once the file is in (as the tracker does).
    through = report_month(read_rows, lookups)
    for number, cells, row, errors in read_rows:
        if errors:
            continue
        derived: list[RowError] = []

        def error(column: str, message: str, number=number, derived=derived) -> None:
            derived.append(RowError(number, column, sheet.cell_ref(KEY[column], number),
                                    message))  # fmt: skip

        _check_derived(sheet, cells, row, error, through)
        result.errors.extend(derived)
    if result.errors:
        result.new_programmes = {}
    return result


def _check_row(sheet: Sheet, number: int, cells: tuple, lookups: Lookups,
               result: CheckResult, errors: list[RowError]) -> QippRow | None:  # fmt: skip
    def has(column: str) -> bool:
        return KEY[column] in sheet.columns

    def raw(column: str):
        return sheet.value(cells, KEY[column])

    def error(column: str, message: str) -> None:
        errors.append(RowError(number, column, sheet.cell_ref(KEY[column], number), message))

    def read(column: str, parser, *args, **kwargs):
        try:
            return parser(raw(column), *args, **kwargs)
        except CellError as exc:
            error(column, exc.message)
            return None

    values: dict[str, Any] = {}
    reference = read("Unique ref", parse_text, "unique ref", required=True,
                     max_length=_max_length(QippScheme, "reference"))  # fmt: skip
    project = read("Project name", parse_text, "project name", required=True,
                   max_length=_max_length(QippScheme, "project"))  # fmt: skip
    if project is not None:
        values["project"] = project
    programme_name = read("Programme", parse_text, "programme", required=True,
                          max_length=_max_length(QippProgramme, "name"))  # fmt: skip
    programme = None
    if programme_name:
        programme = _programme(programme_name, number, lookups, result)
    for column, name in (("Point of delivery", "point_of_delivery"), ("Lead", "lead")):
        if has(column):
            text = read(column, parse_text, column.lower(),
                        max_length=_max_length(QippScheme, name))  # fmt: skip
            if text is not None:
                values[name] = text
    if has("Provider"):
        code = shown(raw("Provider")).upper()
        if not code:
            values["provider"] = None
        elif code in lookups.providers:
            values["provider"] = lookups.providers[code]
        else:
            error("Provider", f"'{shown(raw('Provider'))}' is not the ODS code of a provider "
                  "known here (providers are listed under Organisations)")  # fmt: skip
    if has("Activity change"):
        values["activity_change"] = read("Activity change", parse_activity)
    if has("Activity unit"):
        unit = read("Activity unit", parse_choice, "unit of activity", UNIT_CHOICES, UNIT_LABELS)
        if unit is not None:
            values["activity_unit"] = unit
    if has("Status"):
        status = read("Status", parse_choice, "delivery status", STATUS_CHOICES, STATUS_LABELS,
                      default=DeliveryStatus.NOT_STARTED)  # fmt: skip
        if status is not None:
            values["status"] = status
    saving = read("Planned saving", parse_money, "planned saving")
    if saving is None and not any(e.column == "Planned saving" for e in errors):
        error("Planned saving", "the planned saving is blank: give the year's planned saving "
              "in pounds (0 when there is none yet)")  # fmt: skip
    elif saving is not None and saving < 0:
        error("Planned saving", f"the planned saving {figure(saving)} is negative: a QIPP "
              "scheme saves money (write a shortfall as an actual below plan)")  # fmt: skip
    else:
        values["planned_saving"] = saving

    months: dict[int, dict[str, Decimal | None]] = {}
    for month in range(1, MONTHS + 1):
        for name in MONTH_FIGURES:
            column = month_column(month, name)
            if not has(column):
                continue
            what = f"M{month} {name}"
            value = read(column, parse_money, what)
            if value is None and any(e.column == column for e in errors):
                continue
            if name == "plan":
                if value is None:
                    value = ZERO  # a blank plan is no saving planned that month
                elif value < 0:
                    error(column, f"the {what} {figure(value)} is negative: plan the saving "
                          "(a shortfall shows as an actual below plan)")  # fmt: skip
                    continue
            months.setdefault(month, {})[name] = value

    if errors:
        return None
    stored = lookups.schemes.get(reference)
    return QippRow(number, reference, project, programme_name, programme, values, months, stored)


def report_month(read_rows, lookups: Lookups) -> int:
    """The latest month with an actual among the file's schemes (as they will be) and the
    stored schemes of the year the file leaves alone."""
    in_file = {row.reference for _, _, row, _ in read_rows}
    latest = 0
    for _, _, row, _ in read_rows:
        for month, (_, actual, _) in months_after(row).items():
            if actual is not None:
                latest = max(latest, month)
    for reference, stored in lookups.schemes.items():
        if reference not in in_file:
            for month, (_, actual, _) in stored.months.items():
                if actual is not None:
                    latest = max(latest, month)
    return latest


def _programme(name: str, number: int, lookups: Lookups, result: CheckResult):
    """The stored programme of that name (exactly, else in any case), or None when the
    import creates it (noted in `result`)."""
    if name in lookups.programmes:
        return lookups.programmes[name]
    key = name.casefold()
    matches = lookups.programmes_folded.get(key, [])
    if len(matches) == 1:
        return matches[0]
    if key not in result.new_programmes and not matches:
        order = lookups.next_order + len(result.new_programmes)
        result.new_programmes[key] = NewProgramme(name, number, order)
    return None if not matches else matches[0]


def months_after(row: QippRow) -> dict[int, Figures3]:
    """Each month's figures once the row is imported: the file's where it gives them, the
    stored ones (or none) where it does not."""
    stored = row.stored.months if row.stored else {}
    after = {}
    for month in range(1, MONTHS + 1):
        plan, actual, forecast = stored.get(month, EMPTY_MONTH)
        given = row.months.get(month, {})
        after[month] = (given.get("plan", plan), given.get("actual", actual),
                        given.get("forecast", forecast))  # fmt: skip
    return after


def _check_derived(sheet: Sheet, cells: tuple, row: QippRow, error, through: int) -> None:
    """Gross plan, actual, variance and variance %, when the file gives them, must be what
    the months add up to (to the places they are written in)."""
    given = {}
    for column in DERIVED_COLUMNS:
        if KEY[column] not in sheet.columns:
            continue
        cell = sheet.value(cells, KEY[column])
        if is_blank(cell):
            continue
        try:
            parser = parse_percent if column == "Variance %" else parse_money
            given[column] = parser(cell, column.lower())
        except CellError as exc:
            error(column, exc.message)
    if not given:
        return
    months = [Month(n, *figures3) for n, figures3 in months_after(row).items()]
    worked = figures(months, through=through)
    span = f"M1 to M{through}" if through > 1 else "M1"
    if through == 0:
        to_date = "no month has an actual yet, so the year to date is empty and"
    else:
        to_date = (f"the year to date is {span} (the latest month with an actual in the "
                   "report), and")  # fmt: skip
    slack = max(HALF_PENNY * max(through, 1), HALF_PENNY)
    expected = {
        "Gross plan": (worked.ytd_plan, "the plans of those months add up to"),
        "Gross actual": (worked.ytd_actual, "the actuals of those months add up to"),
        "Gross variance": (worked.variance, "actual minus plan is"),
    }
    for column, (value, how) in expected.items():
        written = given.get(column)
        if written is not None and abs(written - value) > tolerance(written, at_least=slack):
            error(column, f"the {column.lower()} {figure(written)} does not agree with the "
                  f"monthly columns: {to_date} {how} {figure(value)}")  # fmt: skip
    written = given.get("Variance %")
    if written is None:
        return
    if not worked.ytd_plan:
        error("Variance %", f"the variance % {figure(written)} cannot be worked out: {to_date} "
              "the plan to date is 0, so leave the variance % blank")  # fmt: skip
        return
    exact = worked.variance * 100 / worked.ytd_plan
    if abs(written - exact) > tolerance(written, at_least=HALF_PENNY):
        error(
            "Variance %",
            f"the variance % {figure(written)} does not agree with the monthly columns: "
            f"{to_date} the variance {figure(worked.variance)} is "
            f"{figure(worked.variance_percent)}% of the plan {figure(worked.ytd_plan)}",
        )


SCHEME_FIELD_COLUMNS = {
    "project": "Project name",
    "point_of_delivery": "Point of delivery",
    "provider": "Provider",
    "lead": "Lead",
    "activity_change": "Activity change",
    "activity_unit": "Activity unit",
    "status": "Status",
    "planned_saving": "Planned saving",
}


def _compare(row: QippRow) -> None:
    """What the row does: create the scheme, update the fields and months that differ, or
    nothing. Fills `action`, `changes` (column headings), `scheme_changes` and
    `month_changes`."""
    if row.stored is None:
        row.action = "create"
        return
    scheme = row.stored.scheme
    changes: list[str] = []
    if row.programme is None or row.programme.pk != scheme.qipp_programme_id:
        row.scheme_changes["qipp_programme"] = row.programme
        changes.append("Programme")
    for name, column in SCHEME_FIELD_COLUMNS.items():
        if name not in row.values:
            continue
        value = row.values[name]
        if name == "provider":
            same = (value.pk if value else None) == scheme.provider_id
        else:
            same = value == getattr(scheme, name)
        if not same:
            row.scheme_changes[name] = value
            changes.append(column)
    for month in range(1, MONTHS + 1):
        given = row.months.get(month)
        if not given:
            continue
        current = dict(zip(MONTH_FIGURES, row.stored.months.get(month, EMPTY_MONTH), strict=True))
        for name in MONTH_FIGURES:
            if name in given and given[name] != current[name]:
                row.month_changes.setdefault(month, {})[name] = given[name]
                changes.append(month_column(month, name))
    row.changes = changes
    row.action = "update" if changes else "unchanged"
