"""Small helpers for writing SVG by hand: escaping, numbers, elements, identifiers, scales."""

from __future__ import annotations

import hashlib
import math
import re

FONT = "Arial, Helvetica, sans-serif"  # installed everywhere; no web fonts to fetch
TEXT_COLOUR = "#212B32"
SECONDARY_TEXT = "#4C6272"

# Characters XML 1.0 does not allow at all (C0 controls other than tab, newline, return).
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


def escape(text) -> str:
    """Text safe in XML content and in double-quoted attributes."""
    text = _FORBIDDEN.sub("", str(text))
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
    )


def num(value: float) -> str:
    """A coordinate with at most two decimals and no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def element(name: str, content: str | None = None, **attributes) -> str:
    """`<name a="b">content</name>`; attribute names use "_" for "-"; None values are left out."""
    parts = [name]
    for key, value in attributes.items():
        if value is None:
            continue
        if isinstance(value, float):
            value = num(value)
        parts.append(f'{key.rstrip("_").replace("_", "-")}="{escape(value)}"')
    opening = " ".join(parts)
    if content is None:
        return f"<{opening}/>"
    return f"<{opening}>{content}</{name}>"


def text(content: str, x: float, y: float, *, size: float = 11, **attributes) -> str:
    attributes.setdefault("fill", TEXT_COLOUR)
    return element(
        "text", escape(content), x=float(x), y=float(y), font_family=FONT, font_size=size,
        **attributes,
    )  # fmt: skip


def make_id(given: str | None, prefix: str, *parts) -> str:
    """The id given (checked), or a stable one made from the chart's content."""
    if given is not None:
        if not _ID.match(given):
            raise ValueError("chart_id must start with a letter and use letters, digits, - or _")
        return given
    digest = hashlib.sha1(repr(parts).encode(), usedforsecurity=False).hexdigest()[:10]
    return f"{prefix}-{digest}"


def document(
    ident: str, width: int, height: int, title: str, desc: str, body: list[str], **attributes
) -> str:
    """A standalone, accessible `<svg>` with `<title>` and (when there is one) `<desc>`."""
    if width <= 0 or height <= 0:
        raise ValueError("width and height must be positive")
    head = element("title", escape(title), id=f"{ident}-title")
    labelled_by = f"{ident}-title"
    if desc:
        head += element("desc", escape(desc), id=f"{ident}-desc")
        labelled_by += f" {ident}-desc"
    return element(
        "svg",
        head + "".join(body),
        xmlns="http://www.w3.org/2000/svg",
        id=ident,
        width=width,
        height=height,
        viewBox=f"0 0 {width} {height}",
        role="img",
        aria_labelledby=labelled_by,
        **attributes,
    )


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values (1, 2, 2.5 or 5 × a power of ten) covering [low, high]."""
    if not high > low:
        spread = abs(high) * 0.1 or 1.0
        low, high = low - spread, high + spread
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step + 1e-9)
    last = math.ceil(high / step - 1e-9)
    return [round(i * step, 10) for i in range(first, last + 1)]


def tick_decimals(ticks: list[float]) -> int:
    """Decimals needed to print every tick exactly (at most 4)."""
    for decimals in range(5):
        if all(abs(round(t, decimals) - t) < 1e-9 for t in ticks):
            return decimals
    return 4
