"""The variation and assurance icons, drawn simply: a ringed circle with a letter in it."""

from __future__ import annotations

from commissioning.charts.svg import FONT, TEXT_COLOUR, document, element, escape, make_id, num
from governance.spc import Icon


def icon_group(icon: Icon, cx: float, cy: float, r: float) -> str:
    """The icon centred on (cx, cy): H / L for special cause, P / F / ? for assurance, and a
    flat zigzag for common cause (no letter)."""
    parts = [
        element("title", escape(icon.label)),
        element(
            "circle", cx=float(cx), cy=float(cy), r=float(r), fill="#FFFFFF",
            stroke=icon.colour, stroke_width=float(max(r * 0.2, 1.5)),
        ),
    ]  # fmt: skip
    if icon.letter:
        size = r * 1.1
        parts.append(
            element(
                "text", escape(icon.letter), x=float(cx), y=float(cy + 0.36 * size),
                text_anchor="middle", font_family=FONT, font_size=float(size),
                font_weight="bold", fill=TEXT_COLOUR,
            )
        )  # fmt: skip
    else:
        zigzag = [(-0.55, 0.1), (-0.25, -0.15), (0, 0.1), (0.25, -0.15), (0.55, 0.1)]
        points = " ".join(f"{num(cx + dx * r)},{num(cy + dy * r)}" for dx, dy in zigzag)
        parts.append(
            element(
                "polyline", points=points, fill="none", stroke=icon.colour,
                stroke_width=float(max(r * 0.14, 1.2)), stroke_linejoin="round",
            )
        )  # fmt: skip
    return element("g", "".join(parts), class_=f"spc-icon spc-icon--{icon.code}")


def icon_svg(icon: Icon, *, size: int = 32, chart_id: str | None = None) -> str:
    """The icon alone, e.g. for a dashboard table cell; its title is the icon's label."""
    ident = make_id(chart_id, "spc-icon", icon.code, size)
    half = size / 2
    body = [icon_group(icon, half, half, half * 0.82)]
    return document(ident, size, size, icon.label, "", body)
