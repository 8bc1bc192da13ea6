"""What governance puts into PDF packs (registered with plans.packs in AppConfig.ready()).

- Plan documents: the NHS Constitution standards table for the plan's CCG: every standard
  of the catalogue (and the CCG's local KPIs) with the threshold in force, the latest value
  and its period, and whether it met the threshold.
- Annual review packs: the same standards, each with its SPC chart (Making Data Count), the
  variation and assurance icons and what they mean in words, the chart's summary and its
  latest points as a table. Top risks, and recent resolutions and open actions, come from
  `pack_sections_meetings`, which also registers the meeting as the subject of governing
  body packs and their sections.

Every read goes through `for_user(context.user)` (by way of `governance.dashboard`, which
reads the CCG's series in one query), so the number of queries does not grow with the
number of standards. A section is left out when the CCG has no measurements at all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone

from plans.models import PackKind
from plans.packs.registry import PackContext, PackSection, register_section

from . import dashboard
from .charts import chart_summary, chart_table, icon_svg, spc_chart_svg
from .dashboard import DECIMALS, StandardFigures, month_label
from .models import Direction, StandardGroup
from .spc.model import CONSISTENTLY_FAIL, CONSISTENTLY_PASS, HIT_AND_MISS
from .views_dashboard import period_text, svg, target_text, value_text

RECENT_POINTS = 12  # the latest points of each chart listed as a table in the pack

# What each icon means, in words (NHS England, Making Data Count), beside its label.
VARIATION_MEANINGS = {
    "common_cause": "No significant change: the latest value is within the variation the "
    "process always shows.",
    "improvement_high": "Special cause improvement: a significant change for the better, with "
    "values higher than the process would show by chance.",
    "improvement_low": "Special cause improvement: a significant change for the better, with "
    "values lower than the process would show by chance.",
    "concern_high": "Special cause concern: a significant change for the worse, with values "
    "higher than the process would show by chance.",
    "concern_low": "Special cause concern: a significant change for the worse, with values "
    "lower than the process would show by chance.",
    "neither_high": "Special cause variation, upwards, for a measure with no better or worse "
    "direction.",
    "neither_low": "Special cause variation, downwards, for a measure with no better or worse "
    "direction.",
}
ASSURANCE_MEANINGS = {
    CONSISTENTLY_PASS: "The target lies outside the process limits on the passing side: if "
    "nothing changes, the target will be met every time.",
    CONSISTENTLY_FAIL: "The target lies outside the process limits on the failing side: the "
    "target will not be met without a change to the process.",
    HIT_AND_MISS: "The target lies between the process limits: the process will sometimes "
    "meet it and sometimes miss it, by chance.",
}


@dataclass(frozen=True)
class Standings:
    """The CCG's standards as they stand at the newest month of data."""

    ccg: object
    month: dt.date | None
    data: dashboard.DataRange
    groups: tuple[tuple[str, tuple[StandardFigures, ...]], ...]

    @property
    def rows(self) -> list[StandardFigures]:
        return [row for _label, rows in self.groups for row in rows]

    @property
    def measured(self) -> bool:
        return any(row.points for row in self.rows)


def standings(user, ccg) -> Standings:
    """Every standard the CCG is measured against with its series up to the newest month of
    data: five queries however many standards (the measured months and the newest import,
    the standards and their thresholds, the measurements)."""
    data = dashboard.data_range(user, ccg)
    month = data.newest
    series = dashboard.read_series(user, ccg, month) if month else {}
    grouped: dict[str, list[StandardFigures]] = {}
    for standard in dashboard.ordered(dashboard.standards_for(user, ccg)):
        period_type, points = dashboard.choose_series(standard, series.get((standard.pk, None), {}))
        figures = dashboard.figures_for(standard, points, month or timezone.localdate(),
                                        period_type)  # fmt: skip
        grouped.setdefault(standard.group, []).append(figures)
    labels = dict(StandardGroup.choices)
    groups = tuple((labels.get(code, code), tuple(rows)) for code, rows in grouped.items())
    return Standings(ccg=ccg, month=month, data=data, groups=groups)


def met_words(figures: StandardFigures) -> str:
    """Whether the latest value met the threshold in force for its period, in words."""
    if figures.latest is None:
        return "No data"
    if figures.target is None:
        return "No threshold"
    if figures.standard.direction == Direction.NEITHER:
        return "No direction of improvement"
    return "Met" if figures.target_met else "Not met"


def standard_row(figures: StandardFigures) -> dict:
    latest, met = figures.latest, met_words(figures)
    return {
        "name": figures.standard.name,
        "local": figures.standard.is_local,
        "threshold": target_text(figures),
        "value": value_text(figures, latest.value) if latest else "No data",
        "period": period_text(latest.period_start, figures.period_type) if latest else "",
        "met": met,
        "met_code": {"Met": "green", "Not met": "red"}.get(met, "grey"),  # and said in words
        "illustrative": figures.illustrative,
    }


def data_words(found: Standings) -> str:
    if found.month is None:
        return "No performance data yet."
    source = (f"the newest import, {found.data.import_name}" if found.data.source == "import"
              else "the latest measurement recorded")  # fmt: skip
    return f"Figures for {found.ccg.name} up to {month_label(found.month)} (from {source})."


def ccg_of(context: PackContext):
    return context.plan.ccg if context.plan is not None else context.ccg


def standards_table_section(context: PackContext) -> str | None:
    """The standards table of a plan document; None when the CCG has no measurements."""
    found = standings(context.user, ccg_of(context))
    if not found.measured:
        return None
    return render_to_string("print/governance/standards_table.jinja", {
        "groups": [(label, [standard_row(row) for row in rows]) for label, rows in found.groups],
        "data_words": data_words(found),
        "illustrative": any(row.illustrative for row in found.rows),
    })  # fmt: skip


def icon_entry(icon, meanings: dict, chart_id: str) -> dict | None:
    if icon is None:
        return None
    return {"svg": svg(icon_svg(icon, size=22, chart_id=chart_id)), "label": icon.label,
            "meaning": meanings.get(icon.code, ""), "code": icon.code, "icon": icon}  # fmt: skip


def assurance_words(figures: StandardFigures) -> str:
    """Why a chart has no assurance icon."""
    if figures.target is None:
        return "No assurance icon: there is no threshold to assure against."
    if figures.standard.direction == Direction.NEITHER:
        return "No assurance icon: the measure has no direction of improvement."
    return "No assurance icon: too few points for process limits."


def chart_entry(found: Standings, figures: StandardFigures) -> dict:
    standard, result = figures.standard, figures.result
    title = f"{standard.name}, {found.ccg.display_name}"
    unit = figures.unit_symbol
    table = chart_table(result, title=title, unit=unit, decimals=DECIMALS)
    code = standard.code
    return {
        "row": standard_row(figures),
        "direction": standard.get_direction_display(),
        "chart": svg(
            spc_chart_svg(
                result, title=title, unit=unit, decimals=DECIMALS, chart_id=f"pack-spc-{code}"
            )
        ),  # fmt: skip
        "summary": chart_summary(result, title=title, unit=unit, decimals=DECIMALS),
        "columns": table.columns[:6],
        "recent": [row.cells()[:6] for row in table.rows[-RECENT_POINTS:]],
        "points": len(table.rows),
        "variation": icon_entry(figures.variation, VARIATION_MEANINGS, f"pack-var-{code}"),
        "assurance": icon_entry(figures.assurance, ASSURANCE_MEANINGS, f"pack-ass-{code}"),
        "no_assurance": assurance_words(figures),
    }


def icon_key(entries: list[dict]) -> list[dict]:
    """Each icon shown in the section once, in the order met, with its meaning."""
    seen: dict[str, dict] = {}
    for entry in entries:
        for icon in (entry["variation"], entry["assurance"]):
            if icon is not None and icon["code"] not in seen:
                # Drawn again with an id of its own: ids are unique in the document.
                key_id = f"pack-key-{icon['code']}"
                seen[icon["code"]] = icon | {
                    "svg": svg(icon_svg(icon["icon"], size=22, chart_id=key_id))
                }
    return list(seen.values())


def standards_spc_section(context: PackContext) -> str | None:
    """The annual review's standards with SPC charts; None when the CCG has no measurements.
    Standards without measurements are named in a sentence, not charted."""
    found = standings(context.user, ccg_of(context))
    if not found.measured:
        return None
    groups = []
    for label, rows in found.groups:
        charts = [chart_entry(found, row) for row in rows if row.points]
        if charts:
            groups.append((label, charts))
    entries = [entry for _label, charts in groups for entry in charts]
    return render_to_string("print/governance/standards_spc.jinja", {
        "groups": groups,
        "key": icon_key(entries),
        "unmeasured": [row.standard.name for row in found.rows if not row.points],
        "data_words": data_words(found),
        "illustrative": any(row.illustrative for row in found.rows),
        "recent_points": RECENT_POINTS,
    })  # fmt: skip


def register() -> None:
    from . import pack_sections_meetings

    register_section(PackSection("standards", "NHS Constitution standards",
                                 frozenset({PackKind.PLAN_DOCUMENT}), 50,
                                 standards_table_section))  # fmt: skip
    register_section(PackSection("review-standards", "NHS Constitution standards",
                                 frozenset({PackKind.ANNUAL_REVIEW}), 50,
                                 standards_spc_section))  # fmt: skip
    pack_sections_meetings.register()
