"""Display logic of the finance and QIPP pages: money and percentages in words and figures,
RAG tags that say their colour in words, and the rows of each table. No queries: the views
read through `for_user` and pass what they read here.

Money is Decimal throughout; the page shows exact pounds (`£6,100,000`) in tables, where a
difference of a few thousand pounds matters, and the short form plans use (`£622.7m`) in
headlines.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from commissioning.money import MINUS, format_money
from priorities.presenters_delivery import status_tag

from . import rules
from .models import ContractForm
from .qipp_figures import MONTH_NAMES, Figures, Rag, month_label

ILLUSTRATIVE_TAG = {"text": "Illustrative", "classes": "nhsuk-tag--purple"}
RAG_CLASSES = {Rag.GREEN: "nhsuk-tag--green", Rag.AMBER: "nhsuk-tag--yellow",
               Rag.RED: "nhsuk-tag--red"}  # fmt: skip
RAG_CHOICES = [(Rag.GREEN, "Green"), (Rag.AMBER, "Amber"), (Rag.RED, "Red"),
               ("none", "No plan to date")]  # fmt: skip
NO_RAG_TEXT = "No RAG: no plan to date"
NOT_STATED = "Not stated"
FORM_LABELS = dict(ContractForm.choices)


# --- Numbers --------------------------------------------------------------------------------


def exact(value) -> str:
    """£6,100,000 or £8,833.33; empty for None."""
    return "" if value is None else format_money(value, "exact")


def short(value) -> str:
    """£622.7m, £106k, £3m (a whole number of millions loses its ".0")."""
    if value is None:
        return ""
    text = format_money(value, "short")
    return text[:-3] + "m" if text.endswith(".0m") else text


def signed(value) -> str:
    """+£32,500, −£127,000 or £0: the sign always written."""
    if value is None:
        return ""
    return ("+" if value > 0 else "") + format_money(value, "exact")


def percent(value) -> str:
    """2.5%, −12.34%: as few places as the figure needs; empty for None."""
    if value is None:
        return ""
    number = Decimal(value).normalize()
    text = f"{abs(number):f}"
    return f"{MINUS if number < 0 else ''}{text}%"


def signed_percent(value) -> str:
    if value is None:
        return ""
    return ("+" if value > 0 else "") + percent(value)


def amount_range(low, high) -> str:
    """ "£3m to £4m" where the source gives a range, "£19m" where it gives one figure."""
    if low == high:
        return short(low)
    return f"{short(low)} to {short(high)}"


def rate_text(rule) -> str:
    """ "1%" of the allocation, or "£25 a head"."""
    if rule.basis == rules.PER_HEAD:
        return f"{exact(rule.rate)} a head"
    return f"{percent(rule.rate)} of allocation"


# --- RAG and status -------------------------------------------------------------------------


def rag_tag(code: str | None) -> dict:
    """The RAG as an NHS tag whose words carry the colour: "Green: on or ahead of plan"."""
    if code is None:
        return {"text": NO_RAG_TEXT, "classes": "nhsuk-tag--grey app-rag"}
    return {"text": Rag.LABELS[code], "classes": f"{RAG_CLASSES[code]} app-rag app-rag--{code}"}


def figure_cells(figures: Figures) -> dict:
    """A scheme's (or a roll-up's) figures as the tracker shows them."""
    return {
        "annual_plan": exact(figures.annual_plan),
        "ytd_plan": exact(figures.ytd_plan),
        "ytd_actual": exact(figures.ytd_actual),
        "variance": signed(figures.variance),
        "variance_percent": signed_percent(figures.variance_percent) or "None",
        "outturn": exact(figures.forecast_outturn),
        "rag": rag_tag(figures.rag),
        "rag_code": figures.rag or "none",
        "through": figures.through_label,
    }


def scheme_row(scheme, figures: Figures, url: str) -> dict:
    return {
        "scheme": scheme,
        "url": url,
        "planned_saving": exact(scheme.planned_saving),
        "figures": figure_cells(figures),
        "status": status_tag(scheme.status),
        "activity": activity_text(scheme),
    }


def activity_text(scheme) -> str:
    """ "−719 first outpatient appointments"; empty when none is recorded."""
    if scheme.activity_change is None:
        return ""
    number = scheme.activity_change.normalize()
    sign = MINUS if number < 0 else ("+" if number > 0 else "")
    unit = scheme.get_activity_unit_display() if scheme.activity_unit else ""
    return f"{sign}{abs(number):,f} {unit}".strip()


def count_rows(counts: dict, labels: list[tuple[str, str]]) -> list[dict]:
    return [{"value": value, "label": label, "count": counts.get(value, 0)}
            for value, label in labels]  # fmt: skip


# --- One scheme's months --------------------------------------------------------------------


def month_rows(figures: Figures, stored: dict) -> list[dict]:
    """M1 to M12: plan, actual, forecast and the month's variance (actual − plan) when the
    month is reported; `stored` maps month numbers to the QippMonth rows (for illustrative)."""
    rows = []
    for month in figures.months:
        record = stored.get(month.month)
        variance = None if month.actual is None else month.actual - month.plan
        rows.append({
            "month": month.month,
            "label": month_label(month.month),
            "plan": exact(month.plan),
            "actual": exact(month.actual) if month.actual is not None else "Not reported",
            "forecast": exact(month.forecast) if month.forecast is not None else "None made",
            "variance": signed(variance) if variance is not None else "",
            "illustrative": bool(record and record.illustrative),
            "recorded": record is not None,
        })  # fmt: skip
    return rows


def chart_table(rows) -> list[dict]:
    """The data table beside a cumulative chart (`finance.charts.cumulative_rows`)."""
    return [
        {
            "label": row.label,
            "plan": exact(row.plan),
            "actual": exact(row.actual) if row.actual is not None else "–",
            "forecast": exact(row.forecast) if row.forecast is not None else "–",
        }
        for row in rows
    ]


# --- The financial plan ---------------------------------------------------------------------


def rule_rows(lines: list[rules.RuleLine]) -> list[dict]:
    rows = []
    for line in lines:
        if line.stated is None:
            stated = NOT_STATED
        else:
            stated = exact(line.stated)
            if line.stated_percent is not None:
                stated += f" ({percent(line.stated_percent)})"
        rows.append({
            "code": line.code or "stated",
            "label": line.label,
            "rate": rate_text(line.rule) if line.rule else "No rule for this year",
            "implied": exact(line.implied) if line.implied is not None else "Cannot be worked out",
            "stated": stated,
            "difference": signed(line.difference) if line.difference is not None else "",
            "differs": line.differs,
            "note": line.note,
        })  # fmt: skip
    return rows


def gap_facts(gap: rules.EfficiencyGap, *, target_percent, allocation) -> dict:
    implied_percent = rules.percent_of(gap.target, allocation)
    if gap.gap is None:
        words = "No efficiency target is recorded for this year."
    elif gap.gap >= 0:
        words = f"The schemes' planned savings cover the target, with {exact(gap.gap)} to spare."
    else:
        words = f"The schemes' planned savings fall {exact(-gap.gap)} short of the target."
    return {
        "target": exact(gap.target) if gap.target is not None else NOT_STATED,
        "target_percent": percent(target_percent) if target_percent is not None else "",
        "implied_percent": percent(implied_percent) if implied_percent is not None else "",
        "planned": exact(gap.planned),
        "gap": signed(gap.gap) if gap.gap is not None else "",
        "covered": gap.covered,
        "words": words,
    }


def contract_row(contract, lines) -> dict:
    total = sum((line.value for line in lines), Decimal(0))
    difference = rules.difference(total, contract.value) if lines else None
    return {
        "contract": contract,
        "provider": contract.provider.name,
        "form": FORM_LABELS.get(contract.form, contract.form),
        "value": exact(contract.value),
        "cquin": exact(contract.cquin_value) if contract.cquin_value is not None else NOT_STATED,
        "cquin_percent": percent(rules.percent_of(contract.cquin_value, contract.value))
        if contract.cquin_value is not None
        else "",
        "lines": [{"name": line.name, "value": exact(line.value)} for line in lines],
        "lines_total": exact(total) if lines else "",
        "difference": signed(difference) if difference is not None else "",
        "differs": bool(difference),
    }


def pooled_row(pool, contributions, schemes) -> dict:
    low = sum((c.amount_low for c in contributions), Decimal(0))
    high = sum((c.amount_high for c in contributions), Decimal(0))
    return {
        "pool": pool,
        "stated_total": short(pool.stated_total) if pool.stated_total is not None else NOT_STATED,
        "stated_total_exact": exact(pool.stated_total),
        "contributions": [
            {
                "contributor": c.contributor,
                "amount": amount_range(c.amount_low, c.amount_high),
                "exact": exact(c.amount_low)
                if c.amount_low == c.amount_high
                else f"{exact(c.amount_low)} to {exact(c.amount_high)}",
                "ranged": c.amount_low != c.amount_high,
                "note": c.note,
            }
            for c in contributions
        ],
        "contributions_total": amount_range(low, high) if contributions else "",
        "schemes": [
            {
                "name": s.name,
                "amount": exact(s.amount) if s.amount is not None else NOT_STATED,
                "description": s.description,
            }
            for s in schemes
        ],  # fmt: skip
    }


def locality_table(locality, months) -> dict:
    """A locality's budget against actual, M1 to M12 as recorded, with totals."""
    rows = []
    budget_total, actual_total = Decimal(0), Decimal(0)
    for record in months:
        variance = None if record.actual is None else record.actual - record.budget
        budget_total += record.budget
        if record.actual is not None:
            actual_total += record.actual
        rows.append({
            "label": f"M{record.month} ({MONTH_NAMES[record.month - 1]})",
            "budget": exact(record.budget),
            "actual": exact(record.actual) if record.actual is not None else "Not reported",
            "variance": signed(variance) if variance is not None else "",
            "illustrative": record.illustrative,
        })  # fmt: skip
    reported = [r for r in months if r.actual is not None]
    reported_budget = sum((r.budget for r in reported), Decimal(0))
    return {
        "locality": locality,
        "rows": rows,
        "budget_total": exact(budget_total),
        "actual_total": exact(actual_total) if reported else "Not reported",
        "variance_to_date": signed(actual_total - reported_budget) if reported else "",
        "illustrative": any(r.illustrative for r in months),
    }


# --- History --------------------------------------------------------------------------------

HISTORY_ACTIONS = {"+": "Created", "~": "Changed", "-": "Deleted"}


def _shown(model, name, value) -> str:
    if value is None or value == "":
        return "(empty)"
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    field = model._meta.get_field(name)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, Decimal) and getattr(field, "decimal_places", 0) == 2:
        return exact(value)
    return str(value)


def change_rows(model, delta) -> list[dict]:
    rows = []
    for change in delta.changes:
        field = model._meta.get_field(change.field)
        label = str(field.verbose_name)
        label = label[:1].upper() + label[1:]
        if field.is_relation:  # the ids would mean nothing to the reader
            rows.append({"label": label, "old": "", "new": "", "relation": True})
        else:
            old = _shown(model, change.field, change.old)
            new = _shown(model, change.field, change.new)
            rows.append({"label": label, "old": old, "new": new, "relation": False})
    return rows


def history_rows(entries, limit: int = 50) -> list[dict]:
    """`entries`: (model, what, history record, previous record or None), newest first."""
    rows = []
    for model, what, record, before in entries[:limit]:
        changes = []
        if record.history_type == "~" and before is not None:
            delta = record.diff_against(before, excluded_fields=["revision"])
            changes = change_rows(model, delta)
            if not changes:
                continue  # a save that changed nothing the reader can see
        user = record.history_user
        rows.append({
            "when": timezone.localtime(record.history_date),
            "who": (user.get_full_name() or user.get_username()) if user else "The system",
            "what": what,
            "action": HISTORY_ACTIONS.get(record.history_type, "Changed"),
            "changes": changes,
        })  # fmt: skip
    return rows
