"""One money formatter, the way CCG plans write amounts: £622.7m, £106k, £252,173.

Amounts are Decimal pounds. `short` rounds to millions (one decimal) or thousands;
`exact` keeps every pound (and pence when there are any).
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

MILLION = Decimal(1_000_000)
THOUSAND = Decimal(1_000)
MINUS = "\u2212"  # a true minus sign reads better than a hyphen in tables


def to_decimal(value) -> Decimal:
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError) as error:
        raise ValueError(f"{value!r} is not an amount of money") from error


def _round(value: Decimal, places: str) -> Decimal:
    return value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


def format_money(value, style: str = "short") -> str:
    """Format pounds: `short` gives £622.7m / £106k / £950, `exact` gives £252,173."""
    if value is None or value == "":
        return ""
    amount = to_decimal(value)
    sign = MINUS if amount < 0 else ""
    amount = abs(amount)
    if style == "exact":
        if amount == amount.to_integral_value():
            return f"{sign}£{int(amount):,}"
        return f"{sign}£{_round(amount, '0.01'):,}"
    if style != "short":
        raise ValueError(f"unknown money style {style!r}")
    if _round(amount, "1") >= MILLION or _round(amount / THOUSAND, "1") >= THOUSAND:
        return f"{sign}£{_round(amount / MILLION, '0.1')}m"
    if amount >= THOUSAND:
        return f"{sign}£{_round(amount / THOUSAND, '1')}k"
    return f"{sign}£{_round(amount, '1'):,}"
