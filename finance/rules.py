"""Planning-rule arithmetic, pure and in Decimal: what each rule of the year implies for a
CCG's allocation (or population), beside what the plan states, and the difference.

Hand-worked (Southern Derbyshire 2013/14, allocation £622,700,000, seed 003):
1% surplus implies £6,227,000.00, the plan states £6,100,000: difference −£127,000.00;
0.5% contingency implies £3,113,500.00, stated £3,000,000: difference −£113,500.00;
2% transformation reserve implies £12,454,000.00 (the plan states no amount);
2.5% efficiency target implies £15,567,500.00, stated £15,600,000: difference +£32,500.00.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

PENNY = Decimal("0.01")
HUNDRED = Decimal(100)
PERCENT_OF_ALLOCATION = "percent-of-allocation"
PER_HEAD = "per-head"


def pounds(value: Decimal) -> Decimal:
    return value.quantize(PENNY, rounding=ROUND_HALF_UP)


def implied_amount(basis: str, rate: Decimal, *, allocation: Decimal | None,
                   population: int | None) -> Decimal | None:  # fmt: skip
    """The amount a rule implies: `rate` percent of the allocation, or `rate` pounds a head of
    the population; None when the figure it needs is not known."""
    if basis == PERCENT_OF_ALLOCATION:
        return None if allocation is None else pounds(allocation * rate / HUNDRED)
    if basis == PER_HEAD:
        return None if population is None else pounds(Decimal(population) * rate)
    raise ValueError(f"unknown rule basis {basis!r}")


def percent_of(amount: Decimal | None, whole: Decimal | None) -> Decimal | None:
    """`amount` as a percentage of `whole`, to three places; None without both or for zero."""
    if amount is None or not whole:
        return None
    return (amount * HUNDRED / whole).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


def difference(stated: Decimal | None, implied: Decimal | None) -> Decimal | None:
    """Stated minus implied (negative: the plan sets aside less than the rule implies)."""
    if stated is None or implied is None:
        return None
    return pounds(stated - implied)


@dataclass(frozen=True)
class Rule:
    code: str
    label: str
    basis: str
    rate: Decimal


@dataclass(frozen=True)
class Stated:
    rule_code: str
    label: str
    amount: Decimal | None
    percent: Decimal | None = None
    note: str = ""


@dataclass(frozen=True)
class RuleLine:
    """One row of the rules table: the rule (when there is one), what it implies, what the
    plan states and the difference. Lines the plan states without a rule have no rule."""

    code: str
    label: str
    rule: Rule | None
    implied: Decimal | None
    stated: Decimal | None
    stated_percent: Decimal | None
    difference: Decimal | None
    note: str = ""

    @property
    def differs(self) -> bool:
        return bool(self.difference)


def rule_lines(rules: Iterable[Rule], stated: Iterable[Stated], *, allocation: Decimal | None,
               population: int | None) -> list[RuleLine]:  # fmt: skip
    """The year's rules in order, each with what the plan states for it; then what the plan
    states that answers no rule."""
    by_code = {}
    others = []
    for line in stated:
        if line.rule_code:
            by_code[line.rule_code] = line
        else:
            others.append(line)
    lines = []
    for rule in rules:
        implied = implied_amount(rule.basis, rule.rate, allocation=allocation,
                                 population=population)  # fmt: skip
        given = by_code.pop(rule.code, None)
        amount = given.amount if given else None
        lines.append(RuleLine(
            code=rule.code, label=given.label if given else rule.label, rule=rule,
            implied=implied, stated=amount, stated_percent=given.percent if given else None,
            difference=difference(amount, implied), note=given.note if given else "",
        ))  # fmt: skip
    for line in [*by_code.values(), *others]:  # stated against a rule the year does not have
        lines.append(RuleLine(code=line.rule_code, label=line.label, rule=None, implied=None,
                              stated=line.amount, stated_percent=line.percent, difference=None,
                              note=line.note))  # fmt: skip
    return lines


@dataclass(frozen=True)
class EfficiencyGap:
    """The efficiency (QIPP) target against the schemes' planned savings: `gap` is planned
    minus target (negative: the schemes fall short of the target)."""

    target: Decimal | None
    planned: Decimal
    gap: Decimal | None

    @property
    def covered(self) -> bool | None:
        return None if self.gap is None else self.gap >= 0


def efficiency_gap(target: Decimal | None, planned_savings: Iterable[Decimal]) -> EfficiencyGap:
    planned = pounds(sum(planned_savings, Decimal(0)))
    return EfficiencyGap(target=target, planned=planned,
                         gap=None if target is None else pounds(planned - target))  # fmt: skip
