"""Server-side SVG charts for pages and PDFs alike (no JavaScript, no web fonts).

- `spc_chart_svg(result, ...)`: the Making Data Count chart of an `governance.spc` result.
- `sparkline_svg(values, ...)`: a small line for table cells, latest point marked.
- `icon_svg(icon, ...)`: a variation or assurance icon on its own.
- `chart_summary(result, ...)` and `chart_table(result, ...)`: the text alternative and the
  rows of the accessible data table that go with every chart.
Every SVG is a standalone document with a viewBox, role="img" and aria-labelledby pointing at
its `<title>` and `<desc>`; every piece of text in it is XML-escaped.
"""

from .icons import icon_svg
from .sparkline import sparkline_svg
from .spc_chart import spc_chart_svg
from .text import (
    COLUMNS,
    ChartTable,
    TableRow,
    chart_summary,
    chart_table,
    format_value,
    period_label,
)

__all__ = [
    "COLUMNS",
    "ChartTable",
    "TableRow",
    "chart_summary",
    "chart_table",
    "format_value",
    "icon_svg",
    "period_label",
    "sparkline_svg",
    "spc_chart_svg",
]
