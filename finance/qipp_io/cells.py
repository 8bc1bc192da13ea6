"""One cell at a time: amounts of money, activity changes, percentages, text and choices.
Pure: no database. Each parser returns the value or raises `CellError` with a message
written for the person who will correct the file.

Numbers people write in QIPP reports, and what is read:

- `1234.5`, `1,234.50` and `£1,234.50`; commas must group thousands (`1,23` is refused),
  and a space inside a number (`1 234`) is refused;
- negatives as `-500`, `−500` (a true minus), `£-500`, `-£500` or, as accountants write
  them, `(500)` and `(£500)`;
- a lone `-` (how Excel's accounting format shows zero) is 0;
- `12k` or `1.2m` is refused: a QIPP import takes exact pounds, and shorthand is rounded,
  so the message gives the figure to write instead (`12000`);
- money keeps pence: text with more than two decimal places is refused; an XLSX number is
  rounded to the penny (Excel shows it so, and formulas leave float dust like
  105999.96000000001); activity changes keep one decimal place the same way;
- `%` is read only in Variance %.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

MONEY_PLACES = 2
ACTIVITY_PLACES = 1
PENNY = Decimal("0.01")
MONEY_LIMIT = Decimal(10) ** 12  # max_digits 14, 2 places
ACTIVITY_LIMIT = Decimal(10) ** 11  # max_digits 12, 1 place
PERCENT_LIMIT = Decimal(10) ** 9

_NUMBER = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$|^\.\d+$")
_SHORTHAND = re.compile(r"^(?P<number>[\d,]*\.?\d+)\s*(?P<suffix>k|m|bn)$", re.IGNORECASE)
_SCALE = {"k": Decimal(1000), "m": Decimal(1_000_000), "bn": Decimal(1_000_000_000)}
MINUS_SIGNS = ("-", "\u2212", "\u2013")  # hyphen, minus, en dash


class CellError(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def shown(raw) -> str:
    """A cell as the person sees it in their file."""
    if raw is None:
        return ""
    if isinstance(raw, dt.datetime | dt.date):
        return raw.isoformat()
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).strip()


def figure(number: Decimal | None) -> str:
    """A number as a message writes it: 1,234.5."""
    if number is None:
        return "blank"
    return f"{number:,f}"


def is_blank(raw) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _places(number: Decimal) -> int:
    exponent = number.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def parse_number(raw, what: str, *, places: int, limit: Decimal, pounds: bool = True,
                 percent: bool = False) -> Decimal | None:  # fmt: skip
    """A number from a cell, or None when blank. `places` is how many decimal places are
    kept (XLSX numbers are rounded to them; text with more is refused); `pounds` accepts
    a £ sign, `percent` a trailing %."""
    if is_blank(raw):
        return None
    if isinstance(raw, bool):
        raise CellError(f"the {what} '{raw}' is not a number")
    if isinstance(raw, dt.date | dt.datetime | dt.time):
        raise CellError(f"the {what} is a date ({shown(raw)}), not a number")
    quantum = Decimal(1).scaleb(-places)
    if isinstance(raw, int | float | Decimal):
        try:
            number = Decimal(str(raw)) if isinstance(raw, float) else Decimal(raw)
        except InvalidOperation:
            raise CellError(f"the {what} '{raw}' is not a number") from None
        if not number.is_finite():
            raise CellError(f"the {what} '{raw}' is not a number")
        if abs(number) >= limit:
            raise CellError(f"the {what} {shown(raw)} is too large (at most {figure(limit - 1)})")
        number = number.quantize(quantum, rounding=ROUND_HALF_UP)
    else:
        number = _parse_text(str(raw), what, pounds=pounds, percent=percent)
        if _places(number) > places:
            unit = "the penny" if pounds else f"{places} decimal place{'s' if places != 1 else ''}"
            raise CellError(
                f"the {what} '{str(raw).strip()}' has more decimal places than are kept: "
                f"round it to {unit}"
            )
    if abs(number) >= limit:
        raise CellError(f"the {what} {shown(raw)} is too large (at most {figure(limit - 1)})")
    return number


def _parse_text(raw: str, what: str, *, pounds: bool, percent: bool) -> Decimal:
    original = raw.strip()
    text = original.replace("\u00a0", " ").strip()
    if text in MINUS_SIGNS:
        return Decimal(0)  # Excel's accounting format shows zero as a dash
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1].strip()
    if percent and text.endswith("%"):
        text = text[:-1].strip()
    for _ in range(2):  # "-£500" and "£-500" alike
        if text.startswith(MINUS_SIGNS):
            if negative:
                raise CellError(f"the {what} '{original}' has two minus signs")
            negative, text = True, text[1:].strip()
        if pounds and text.startswith("£"):
            text = text[1:].strip()
    if not percent and text.endswith("%"):
        raise CellError(
            f"the {what} '{original}' is a percentage: give an amount in pounds"
            if pounds
            else f"the {what} '{original}' is a percentage: give a number"
        )
    if shorthand := _SHORTHAND.match(text):
        try:
            full = (
                Decimal(shorthand["number"].replace(",", "")) * _SCALE[shorthand["suffix"].lower()]
            )
            hint = f": write {'-' if negative else ''}{full.normalize():f}"
        except InvalidOperation:
            hint = ""
        raise CellError(
            f"the {what} '{original}' is shorthand; the import takes exact figures{hint}"
        )
    if not _NUMBER.match(text):
        if re.match(r"^[\d.]+(,\d+)+", text):
            raise CellError(
                f"the {what} '{original}' is not a number: commas may only group thousands "
                "(1,234.50)"
            )
        raise CellError(f"the {what} '{original}' is not a number")
    number = Decimal(text.replace(",", ""))
    return -number if negative else number


def parse_money(raw, what: str) -> Decimal | None:
    return parse_number(raw, what, places=MONEY_PLACES, limit=MONEY_LIMIT)


def parse_activity(raw, what: str = "activity change") -> Decimal | None:
    return parse_number(raw, what, places=ACTIVITY_PLACES, limit=ACTIVITY_LIMIT, pounds=False)


def parse_percent(raw, what: str = "variance %") -> Decimal | None:
    """A percentage as written (12.5 or 12.5% is 12.5 per cent), to four places."""
    return parse_number(raw, what, places=4, limit=PERCENT_LIMIT, pounds=False, percent=True)


def parse_text(raw, what: str, *, max_length: int, required: bool = False) -> str:
    text = shown(raw)
    if required and not text:
        raise CellError(f"the {what} is blank")
    if len(text) > max_length:
        raise CellError(f"the {what} is {len(text)} characters long; at most {max_length} fit")
    return text


def parse_choice(raw, what: str, choices: dict[str, str], labels: dict[str, str],
                 default: str = "") -> str:  # fmt: skip
    """A code from its code or label, any case (`on-track` or `On track`); `default` when
    blank."""
    text = " ".join(shown(raw).lower().replace("_", "-").split())
    if not text:
        return default
    code = choices.get(text) or choices.get(text.replace(" ", "-"))
    if code is None:
        allowed = ", ".join(str(label) for label in labels.values())
        raise CellError(f"'{shown(raw)}' is not a {what}: write one of {allowed}")
    return code


def tolerance(written: Decimal, *, at_least: Decimal) -> Decimal:
    """How far a figure may be from the worked-out one and still be it rounded: half a unit
    in its last written place, and never less than `at_least`."""
    exponent = written.as_tuple().exponent
    half_unit = Decimal(5).scaleb(exponent - 1) if isinstance(exponent, int) else at_least
    return max(half_unit, at_least)
