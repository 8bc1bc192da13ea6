"""The governing body dashboard's figures as plain data: pages, the API and packs share them.

`build(user, ccg, month)` answers "how did things stand at the end of `month`?": every
standard the CCG is measured against, grouped, with its latest value up to that month, the
target in force then, the variation and assurance icons of the SPC chart of its series up to
that month (`governance.spc`) and the values for a sparkline; and, for each approved or
published plan in force that month, its actions counted by delivery status (RAG) as they
stood at the month's end. `standard_detail(...)` is one standard's drill-down: the full
series and SPC result, its threshold history and a breakdown by provider.

Every read starts from `for_user(user)`, and the number of queries does not grow with the
number of months or standards: the measurements of the CCG are read in one query and grouped
here. Later panels (QIPP, the financial position, risks, meetings) join `Dashboard.panels`,
each when its app has data for the CCG: see `later_panels`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import F, Max, Min, OuterRef, Prefetch, Q, Subquery

from commissioning.models import Provider
from commissioning.money import MINUS, format_money
from commissioning.years import FinancialYear
from finance import qipp_figures
from finance import rules as finance_rules
from finance.models import (
    FinancialPlan,
    PlanningRule,
    QippScheme,
    RuleBasis,
    StatedAmount,
)
from finance.reading import thresholds_for
from plans.models import Plan, PlanState
from priorities import delivery
from priorities.models import Action, DeliveryStatus, ProgressUpdate

from . import risk_matrix
from .models import (
    ESCALATION_SCORE,
    ActionStatus,
    Direction,
    Measurement,
    MeasurementImport,
    Meeting,
    MeetingAction,
    MeetingStatus,
    PeriodType,
    Risk,
    RiskStatus,
    Standard,
    StandardGroup,
    StandardThreshold,
    Unit,
)
from .series import default_period_type, spc_of
from .services_risks import bands_for
from .spc import SpcResult

SPARKLINE_POINTS = 24
DECIMALS = 2
UNIT_SYMBOLS = {Unit.PERCENT: "%", Unit.COUNT: "", Unit.RATE: ""}
GROUP_ORDER = {code: position for position, code in enumerate(StandardGroup.values)}
DELIVERY_PLAN_STATES = (PlanState.APPROVED, PlanState.PUBLISHED)


# --- Months ---------------------------------------------------------------------------------


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def month_end(month: dt.date) -> dt.date:
    return add_months(first_of_month(month), 1) - dt.timedelta(days=1)


def parse_month(text: str) -> dt.date:
    """ "2016-03" as 1 March 2016; ValueError for anything else."""
    try:
        return dt.datetime.strptime(str(text).strip(), "%Y-%m").date()
    except ValueError:
        raise ValueError(f"'{text}' is not a month: write it like 2016-03") from None


def month_value(month: dt.date) -> str:
    return f"{month:%Y-%m}"


def month_label(month: dt.date) -> str:
    return f"{month:%B %Y}"


def last_month_of(period_start: dt.date, period_type: str) -> dt.date:
    """The last month a period covers: itself for a month, two months on for a quarter."""
    return add_months(period_start, 2) if period_type == PeriodType.QUARTER else period_start


# --- How current the data is ----------------------------------------------------------------


@dataclass(frozen=True)
class DataRange:
    """The months a CCG has measurements for, and what "data up to" says.

    `up_to` is the latest period of the newest successful import for the CCG (or for all
    CCGs); without one, the last month measured.
    """

    first: dt.date | None
    last: dt.date | None
    up_to: dt.date | None
    import_name: str = ""

    @property
    def source(self) -> str:
        if self.up_to is None:
            return ""
        return "import" if self.import_name else "measurements"

    @property
    def newest(self) -> dt.date | None:
        known = [month for month in (self.last, self.up_to) if month is not None]
        return max(known) if known else None

    def months(self) -> list[dt.date]:
        """Every month the period selector offers, newest first."""
        if self.first is None or self.newest is None:
            return []
        months, month = [], self.newest
        while month >= self.first:
            months.append(month)
            month = add_months(month, -1)
        return months


def data_range(user, ccg) -> DataRange:
    """Two queries: the measured months of the CCG, and the newest successful import."""
    spans = (
        Measurement.objects.for_user(user)
        .filter(ccg=ccg)
        .values("period_type")
        .annotate(first=Min("period_start"), last=Max("period_start"))
        .order_by()
    )
    firsts, lasts = [], []
    for span in spans:
        firsts.append(span["first"])
        lasts.append(last_month_of(span["last"], span["period_type"]))
    newest_import = (
        # access: only the month and the file name of the newest import for this CCG (or for
        # every CCG) are shown, to people who read the CCG's measurements.
        MeasurementImport.objects.latest_success()
        .filter(Q(ccg=ccg) | Q(ccg__isnull=True), latest_period__isnull=False)
        .values("latest_period", "source_name")
        .first()
    )
    last = max(lasts) if lasts else None
    if newest_import:
        up_to = first_of_month(newest_import["latest_period"])
        name = newest_import["source_name"] or "an import"
    else:
        up_to, name = last, ""
    return DataRange(first=min(firsts) if firsts else None, last=last, up_to=up_to,
                     import_name=name)  # fmt: skip


# --- Standards ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    """A measurement as the dashboard reads it (what `governance.series.spc_of` charts)."""

    period_start: dt.date
    value: Decimal
    illustrative: bool = False


@dataclass(frozen=True)
class StandardFigures:
    """One row of the dashboard: a standard's series up to the month and what it says."""

    standard: Standard
    period_type: str
    points: tuple[Point, ...]
    threshold: StandardThreshold | None
    result: SpcResult

    @property
    def unit_symbol(self) -> str:
        return UNIT_SYMBOLS.get(self.standard.unit, "")

    @property
    def latest(self) -> Point | None:
        return self.points[-1] if self.points else None

    @property
    def target(self) -> Decimal | None:
        return None if self.threshold is None else self.threshold.value

    @property
    def target_met(self) -> bool | None:
        """Whether the latest value meets the target in force for its period."""
        latest, target = self.latest, self.target
        if latest is None or target is None or self.standard.direction == Direction.NEITHER:
            return None
        if self.standard.direction == Direction.HIGHER:
            return latest.value >= target
        return latest.value <= target

    @property
    def variation(self):
        return self.result.variation

    @property
    def assurance(self):
        return self.result.assurance

    @property
    def illustrative(self) -> bool:
        return any(point.illustrative for point in self.points)

    @property
    def sparkline(self) -> tuple[float, ...]:
        return tuple(float(point.value) for point in self.points[-SPARKLINE_POINTS:])


def standards_for(user, ccg):
    """The national standards and the CCG's own local KPIs, with their thresholds (2 queries)."""
    thresholds = StandardThreshold.objects.order_by("applies_from")
    return (
        Standard.objects.for_user(user)
        .filter(Q(ccg__isnull=True) | Q(ccg=ccg))
        .prefetch_related(Prefetch("thresholds", queryset=thresholds))
    )


def ordered(standards) -> list[Standard]:
    return sorted(
        standards, key=lambda s: (GROUP_ORDER.get(s.group, len(GROUP_ORDER)), s.order, s.name)
    )


def figures_for(standard: Standard, points: list[Point], month: dt.date, period_type: str):
    """The standard's figures from its points (in time order, up to the month)."""
    latest = points[-1] if points else None
    threshold = standard.threshold_on(latest.period_start if latest else month_end(month))
    result = spc_of(standard, points)  # the target in force at the latest period
    return StandardFigures(
        standard=standard,
        period_type=period_type,
        points=tuple(points),
        threshold=threshold,
        result=result,
    )


def choose_series(standard: Standard, by_type: dict[str, list[Point]]) -> tuple[str, list]:
    """The series in the standard's usual frequency; the other one if that has no data."""
    preferred = default_period_type(standard)
    if by_type.get(preferred):
        return preferred, by_type[preferred]
    for period_type, points in by_type.items():
        if points:
            return period_type, points
    return preferred, []


def known_by(period_start: dt.date, period_type: str, month: dt.date) -> bool:
    """Whether a period had ended by the end of `month` (a quarter once its last month has)."""
    return last_month_of(period_start, period_type) <= month


def read_series(user, ccg, month: dt.date, *, standard=None, providers: bool = False):
    """Measurements of the CCG up to the end of `month`, in one query, grouped as
    {(standard id, provider id or None): {period type: [Point, ...]}}."""
    rows = Measurement.objects.for_user(user).filter(ccg=ccg, period_start__lte=month)
    if standard is not None:
        rows = rows.filter(standard=standard)
    if not providers:
        rows = rows.filter(provider__isnull=True)
    series: dict = defaultdict(lambda: defaultdict(list))
    for standard_id, provider_id, period_type, period_start, value, illustrative in rows.order_by(
        "period_start"
    ).values_list(
        "standard_id", "provider_id", "period_type", "period_start", "value", "illustrative"
    ):
        if known_by(period_start, period_type, month):
            point = Point(period_start, value, illustrative)
            series[(standard_id, provider_id)][period_type].append(point)
    return series


# --- Plan delivery --------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    rag: delivery.Rag
    count: int


@dataclass(frozen=True)
class PlanDelivery:
    plan: Plan
    counts: tuple[StatusCount, ...]

    @property
    def total(self) -> int:
        return sum(item.count for item in self.counts)


def plan_delivery(user, ccg, month: dt.date) -> list[PlanDelivery]:
    """Actions of the CCG's approved or published plans in force in `month`, counted by
    their delivery status at the end of that month (the latest progress update reported by
    then; not started when there is none). Two queries."""
    year = FinancialYear.containing(month)
    plans = list(
        Plan.objects.for_user(user)
        .filter(
            ccg=ccg, state__in=DELIVERY_PLAN_STATES, first_year__lte=year, last_year__gte=year
        )  # fmt: skip
        .order_by("first_year", "title", "pk")
    )
    if not plans:
        return []
    latest_update = (
        # Correlated to actions the user reads (below): the update is the action's own.
        ProgressUpdate.objects.filter(action=OuterRef("pk"), reported_on__lte=month_end(month))
        .order_by("-reported_on", "-created_at", "-pk")
        .values("status")[:1]
    )
    statuses: dict[int, list[str]] = defaultdict(list)
    for plan_id, status in (
        Action.objects.for_user(user)
        .filter(commitment__priority__plan__in=[plan.pk for plan in plans])
        .annotate(status_then=Subquery(latest_update))
        .values_list("commitment__priority__plan_id", "status_then")
    ):
        statuses[plan_id].append(status or DeliveryStatus.NOT_STARTED)
    result = []
    for plan in plans:
        counted = delivery.counts_by_status(statuses[plan.pk])
        counts = tuple(
            StatusCount(status, DeliveryStatus(status).label, delivery.rag(status), count)
            for status, count in counted.items()
        )
        result.append(PlanDelivery(plan=plan, counts=counts))
    return result


# --- Panels of later apps -------------------------------------------------------------------


@dataclass(frozen=True)
class Panel:
    """A panel of a later app (QIPP, finance, risks, meetings): a heading and rows of
    (label, value) text, shown only when the app has data for the CCG."""

    code: str
    title: str
    rows: tuple[tuple[str, str], ...]


def later_panels(user, ccg, month: dt.date) -> list[Panel]:
    """Panels of later apps, each shown when its app has data for the CCG: the QIPP schemes
    of the financial year holding the month (year to date to that month, RAG, forecast
    outturn against the efficiency target) and that year's financial position (allocation,
    each planning rule's implied amount beside what the plan states), risks scoring 15 or
    more (their current scores), meeting actions overdue at the end of the month, and the
    meetings after it. Read with `for_user(user)` in a fixed number of queries, however many
    rows: the finance panels take two without finance data and five with it, the others
    four."""
    end = month_end(month)
    panels = [
        *finance_panels(user, ccg, month),
        risk_panel(user, ccg),
        action_panel(user, ccg, end),
        meeting_panel(user, ccg, end),
    ]
    return [panel for panel in panels if panel is not None]


PANEL_ROWS = 10  # the most rows a panel lists


def long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def risk_panel(user, ccg) -> Panel | None:
    """Open risks whose current score is ESCALATION_SCORE or more, highest first (two
    queries: the risks, the CCG's bands). None when the CCG has no open risks the user reads."""
    risks = list(
        Risk.objects.for_user(user)
        .filter(ccg=ccg, status=RiskStatus.OPEN)
        .values_list("reference", "title", "current_likelihood", "current_consequence")
    )
    if not risks:
        return None
    bands = bands_for(ccg)
    escalated = sorted(
        (row for row in risks if risk_matrix.is_escalated(row[2] * row[3])),
        key=lambda row: (-row[2] * row[3], row[0]),
    )
    rows = []
    for reference, title, likelihood, consequence in escalated[:PANEL_ROWS]:
        score = likelihood * consequence
        band = risk_matrix.band_for(score, bands)
        rows.append(
            (f"{reference} {title}", f"{score}, {band.label if band else 'no band'} "
             f"(likelihood {likelihood} × consequence {consequence})")
        )  # fmt: skip
    if len(escalated) > PANEL_ROWS:
        rows.append(("And more", f"{len(escalated) - PANEL_ROWS} more risks score "
                     f"{ESCALATION_SCORE} or more"))  # fmt: skip
    if not rows:
        rows.append((f"Risks scoring {ESCALATION_SCORE} or more",
                     f"None of the {len(risks)} open risks"))  # fmt: skip
    return Panel(code="risks", title=f"Risks scoring {ESCALATION_SCORE} or more",
                 rows=tuple(rows))  # fmt: skip


def action_panel(user, ccg, end: dt.date) -> Panel | None:
    """Meeting actions of the CCG's committees raised by `end` and still open then, those due
    by then listed (one query). None when no action was open at the end of the month."""
    still_open = Q(status=ActionStatus.OPEN) | Q(closed_on__gt=end)
    actions = list(
        MeetingAction.objects.for_user(user)
        .filter(still_open, committee__ccg=ccg, meeting__date__lte=end)
        .order_by(F("due_on").asc(nulls_last=True), "pk")
        .values_list("committee__name", "text", "owner", "due_on")
    )
    if not actions:
        return None
    overdue = [row for row in actions if row[3] is not None and row[3] <= end]
    rows = [("Overdue actions", f"{len(overdue)} of {len(actions)} open actions")]
    for committee, text, owner, due_on in overdue[:PANEL_ROWS]:
        who = f", {owner}" if owner else ""
        rows.append((f"{committee}: {text[:120]}", f"Due {long_date(due_on)}{who}"))
    return Panel(code="overdue-actions", title="Overdue meeting actions", rows=tuple(rows))


# --- Finance panels (QIPP, financial position) --------------------------------------------


def money_text(amount: Decimal | None) -> str:
    """To the pound: £622.7m or £106k where that is the exact amount; the exact amount
    (£6,227,000) where rounding would hide pounds a governing body should see."""
    if amount is None:
        return "Not stated"
    amount = amount.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    short = format_money(amount)
    exact = format_money(amount, "exact")
    magnitude = abs(amount)
    if magnitude >= 1_000_000:
        lossless = magnitude == (magnitude / 100_000).to_integral_value() * 100_000
    elif magnitude >= 1_000:
        lossless = magnitude == (magnitude / 1_000).to_integral_value() * 1_000
    else:
        lossless = magnitude == magnitude.to_integral_value()
    return short if lossless else exact


def signed_money(amount: Decimal) -> str:
    return ("+" if amount > 0 else "") + money_text(amount)


def number_text(value: Decimal) -> str:
    """2.500 as 2.5, 25.000 as 25."""
    return format(value.normalize(), "f")


def percent_text(result: qipp_figures.Figures) -> str:
    if result.variance_percent is None:
        return "no plan to date"
    value = result.variance_percent
    sign = "+" if value > 0 else (MINUS if value < 0 else "")
    return f"{sign}{number_text(abs(value))}%"


def financial_month(month: dt.date) -> int:
    """M1 (April) to M12 (March) of the financial year holding `month`."""
    return (month.month - 4) % 12 + 1


def finance_panels(user, ccg, month: dt.date) -> list[Panel | None]:
    """The QIPP and financial position panels of the financial year holding `month`. Two
    queries when the CCG has no finance that year (its financial plan, its schemes); five
    with both (and the plan's stated amounts, the year's rules, the RAG thresholds)."""
    year = FinancialYear.containing(month)
    plan = FinancialPlan.objects.for_user(user).filter(ccg=ccg, year=year).first()
    return [qipp_panel(user, ccg, month, year, plan), position_panel(user, ccg, year, plan)]


def qipp_panel(user, ccg, month: dt.date, year: FinancialYear, plan) -> Panel | None:
    """The CCG's QIPP schemes of `year`: year to date plan against actual to the end of
    `month` (or the latest month reported before it), variance and variance %, RAG in words,
    forecast outturn against the efficiency target, and each programme's RAG. One query for
    the schemes and their months (joined), one for the thresholds; None without schemes."""
    rows = list(
        QippScheme.objects.for_user(user)
        .filter(ccg=ccg, year=year)
        .order_by("qipp_programme__order", "qipp_programme__name", "reference", "months__month")
        .values_list(
            "pk",
            "planned_saving",
            "qipp_programme__name",
            "months__month",
            "months__plan",
            "months__actual",
            "months__forecast",
            "months__illustrative",
        )  # fmt: skip
    )
    if not rows:
        return None
    savings: dict[int, Decimal] = {}
    months: dict[int, list[qipp_figures.Month]] = defaultdict(list)
    programmes: dict[str, list[int]] = defaultdict(list)
    illustrative = False
    for pk, saving, programme, number, plan_figure, actual, forecast, shown_as in rows:
        if pk not in savings:
            savings[pk] = saving
            programmes[programme].append(pk)
        if number is not None:
            months[pk].append(qipp_figures.Month(number, plan_figure, actual, forecast))
            illustrative = illustrative or bool(shown_as)
    thresholds = thresholds_for(ccg)
    last = financial_month(month)
    reported = max(
        (m.month for scheme in months.values() for m in scheme
         if m.actual is not None and m.month <= last),
        default=0,
    )  # fmt: skip
    total = qipp_figures.roll_up([months[pk] for pk in savings], through=reported,
                                 thresholds=thresholds)  # fmt: skip
    planned = finance_rules.efficiency_gap(None, savings.values()).planned
    panel_rows = [("Schemes", f"{len(savings)} schemes, planned savings {money_text(planned)}")]
    if reported:
        to = qipp_figures.month_label(reported)
        if reported < last:
            to += f", the latest month reported by the end of {month_label(month)}"
        panel_rows += [
            ("Year to date", f"To {to}: plan {money_text(total.ytd_plan)}, actual "
             f"{money_text(total.ytd_actual)}"),
            ("Variance", f"{signed_money(total.variance)} ({percent_text(total)})"),
            ("RAG", qipp_figures.Rag.LABELS.get(total.rag, "No plan to date")),
        ]  # fmt: skip
    else:
        panel_rows.append(("Year to date", f"No month reported by the end of {month_label(month)}"))
    panel_rows.append(("Forecast outturn", outturn_text(total.forecast_outturn, plan)))
    for name, members in programmes.items():
        if not reported or len(panel_rows) >= PANEL_ROWS:
            break
        result = qipp_figures.roll_up([months[pk] for pk in members], through=reported,
                                      thresholds=thresholds)  # fmt: skip
        colour = qipp_figures.Rag.LABELS.get(result.rag, "No plan to date")
        panel_rows.append((name, f"{colour}; year to date {signed_money(result.variance)}"))
    if illustrative:
        panel_rows.append(("Figures", "The monthly figures include illustrative (demo) data"))
    return Panel(code="qipp", title=f"QIPP savings {year.label}", rows=tuple(panel_rows))


def outturn_text(outturn: Decimal, plan) -> str:
    target = plan.efficiency_target if plan is not None else None
    if target is None:
        return f"{money_text(outturn)} (no efficiency target stated)"
    gap = finance_rules.pounds(outturn - target)
    if gap == 0:
        where = "exactly the target"
    else:
        where = f"{money_text(abs(gap))} {'over' if gap > 0 else 'short of'} the target"
    return f"{money_text(outturn)} against the efficiency target of {money_text(target)}: {where}"


def rule_text(line: finance_rules.RuleLine, population: int | None) -> str:
    rule = line.rule
    if rule is None:
        return f"Stated {money_text(line.stated)} (no planning rule of the year for it)"
    if rule.basis == RuleBasis.PER_HEAD:
        head = f" of {population:,} people" if population else ""
        basis = f"£{number_text(rule.rate)} a head{head}"
    else:
        basis = f"{number_text(rule.rate)}% of the allocation"
    if line.implied is None:
        implied = f"the rule ({basis}) cannot be worked out without the figure it needs"
    else:
        implied = f"the rule ({basis}) implies {money_text(line.implied)}"
    if line.stated is None:
        said = (f"{number_text(line.stated_percent)}% stated, no amount"
                if line.stated_percent is not None else "Not stated")  # fmt: skip
        return f"{said}; {implied}"
    difference = "" if line.difference is None else f"; difference {signed_money(line.difference)}"
    return f"Stated {money_text(line.stated)}; {implied}{difference}"


def position_panel(user, ccg, year: FinancialYear, plan) -> Panel | None:
    """The CCG's financial plan of `year`: the allocation, each planning rule of the year
    with the amount it implies beside what the plan states and the difference, then what the
    plan states against no rule, the efficiency target and a stated contract total. Two
    queries (the stated amounts, the year's rules); None without a financial plan."""
    if plan is None:
        return None
    stated = [
        finance_rules.Stated(code, label, amount, percent, note)
        for code, label, amount, percent, note in StatedAmount.objects.for_user(user)
        .filter(financial_plan=plan)
        .order_by("order", "pk")
        .values_list("rule_code", "label", "stated_amount", "stated_percent", "note")
    ]
    year_rules = [
        finance_rules.Rule(code, label, basis, rate)
        for code, label, basis, rate in PlanningRule.objects.for_user(user)
        .for_year(year)
        .order_by("order", "code")
        .values_list("code", "label", "basis", "rate")
    ]
    population = plan.population or ccg.population
    lines = finance_rules.rule_lines(year_rules, stated, allocation=plan.allocation,
                                     population=population)  # fmt: skip
    rows = [("Allocation", money_text(plan.allocation))]
    rows += [(line.label, rule_text(line, population)) for line in lines]
    if plan.efficiency_target is not None or plan.efficiency_target_percent is not None:
        target = money_text(plan.efficiency_target)
        if plan.efficiency_target_percent is not None:
            target += f" ({number_text(plan.efficiency_target_percent)}% as stated)"
        rows.append(("Efficiency target", target))
    if plan.stated_contract_total is not None:
        rows.append(("Contracts, total as stated", money_text(plan.stated_contract_total)))
    if plan.illustrative:
        rows.append(("Figures", "Illustrative (demo) figures"))
    return Panel(code="financial-position", title=f"Financial position {year.label}",
                 rows=tuple(rows))  # fmt: skip


def meeting_panel(user, ccg, end: dt.date) -> Panel | None:
    """The CCG's next meetings after `end`, not cancelled (one query). None when none."""
    meetings = list(
        Meeting.objects.for_user(user)
        .filter(committee__ccg=ccg, date__gt=end)
        .exclude(status=MeetingStatus.CANCELLED)
        .order_by("date", "time", "pk")
        .values_list("committee__name", "date", "time", "location", "title")[: PANEL_ROWS // 2]
    )
    if not meetings:
        return None
    rows = []
    for committee, day, time, location, title in meetings:
        when = long_date(day) + (f", {time:%H:%M}" if time else "")
        where = f", {location}" if location else ""
        rows.append((f"{committee}{f' ({title})' if title else ''}", f"{when}{where}"))
    return Panel(code="next-meetings", title="Next meetings", rows=tuple(rows))


# --- The dashboard --------------------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    code: str
    label: str
    rows: tuple[StandardFigures, ...]


@dataclass(frozen=True)
class Dashboard:
    ccg: object
    month: dt.date | None  # the end of this month is what the dashboard shows
    data: DataRange
    groups: tuple[Group, ...]
    plans: tuple[PlanDelivery, ...]
    panels: tuple[Panel, ...] = field(default_factory=tuple)

    @property
    def rows(self) -> list[StandardFigures]:
        return [row for group in self.groups for row in group.rows]

    @property
    def illustrative(self) -> bool:
        return any(row.illustrative for row in self.rows)


def resolve_month(data: DataRange, month: dt.date | None) -> dt.date | None:
    """The month asked for (its first day), or the newest month with data."""
    if month is not None:
        return first_of_month(month)
    return data.newest


def build(user, ccg, month: dt.date | None = None, *, data: DataRange | None = None):
    """The dashboard as it stood at the end of `month` (default: the newest month of data)."""
    data = data or data_range(user, ccg)
    month = resolve_month(data, month)
    standards = ordered(standards_for(user, ccg))
    series = read_series(user, ccg, month) if month else {}
    grouped: dict[str, list[StandardFigures]] = defaultdict(list)
    for standard in standards:
        period_type, points = choose_series(standard, series.get((standard.pk, None), {}))
        grouped[standard.group].append(
            figures_for(standard, points, month or dt.date.today(), period_type)
        )
    labels = dict(StandardGroup.choices)
    groups = tuple(
        Group(code, labels.get(code, code), tuple(rows)) for code, rows in grouped.items()
    )
    plans = tuple(plan_delivery(user, ccg, month)) if month else ()
    # Risks, actions and meetings do not wait for measurements: without a month of data
    # they are shown as they stand today.
    panels = tuple(later_panels(user, ccg, month or dt.date.today()))
    return Dashboard(ccg=ccg, month=month, data=data, groups=groups, plans=plans,
                     panels=panels)  # fmt: skip


# --- One standard's drill-down --------------------------------------------------------------


@dataclass(frozen=True)
class ProviderFigures:
    provider_id: int
    ods_code: str
    name: str
    figures: StandardFigures


@dataclass(frozen=True)
class StandardDetail:
    ccg: object
    month: dt.date | None
    data: DataRange
    figures: StandardFigures
    thresholds: tuple[StandardThreshold, ...]
    providers: tuple[ProviderFigures, ...]


def standard_detail(user, ccg, standard: Standard, month=None, *, data=None) -> StandardDetail:
    """The standard's full series for the CCG up to `month`, and one per provider where the
    measurements name providers. `standard` comes with its thresholds prefetched
    (`standards_for`). Two queries besides `data_range`."""
    data = data or data_range(user, ccg)
    month = resolve_month(data, month)
    series = read_series(user, ccg, month, standard=standard, providers=True) if month else {}
    as_of = month or dt.date.today()
    period_type, points = choose_series(standard, series.get((standard.pk, None), {}))
    figures = figures_for(standard, points, as_of, period_type)
    provider_ids = [key[1] for key in series if key[1] is not None]
    names = provider_names(user, provider_ids)
    providers = []
    for provider_id in provider_ids:
        kind, provider_points = choose_series(standard, series[(standard.pk, provider_id)])
        ods_code, name = names.get(provider_id, ("", "Provider"))
        providers.append(
            ProviderFigures(provider_id, ods_code, name,
                            figures_for(standard, provider_points, as_of, kind))
        )  # fmt: skip
    providers.sort(key=lambda p: p.name)
    return StandardDetail(
        ccg=ccg,
        month=month,
        data=data,
        figures=figures,
        thresholds=tuple(standard.thresholds.all()),
        providers=tuple(providers),
    )


def provider_names(user, ids) -> dict[int, tuple[str, str]]:
    if not ids:
        return {}
    rows = Provider.objects.for_user(user).filter(pk__in=ids).values_list("pk", "ods_code", "name")
    return {pk: (code, name) for pk, code, name in rows}
