"""CSV output of API lists (`?format=csv` or `Accept: text/csv`), for people who open them in
Excel: UTF-8 with a byte order mark and guarded against formula injection by the shared
guard (commissioning/spreadsheets.py), as the plan exports are.

Generic: `CSVRenderer` writes whatever list the view serialised, one row per item, with the
columns (and headings) the view's `get_csv_columns()` gives; `CSVListMixin` adds it to a
viewset, shows lists whole (a CSV is never cut to one page) and names the download. A
viewset may set `csv_serializer_class` to shape its rows for a spreadsheet.
"""

from __future__ import annotations

import csv
import io
import json

from django.utils.text import slugify
from rest_framework import renderers
from rest_framework.settings import api_settings

from commissioning.spreadsheets import BOM, safe_cell


def _cell(value) -> str:
    """A JSON value as spreadsheet text: lists joined by "; ", objects as JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list | tuple):
        return "; ".join(_cell(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def _rows_of(data) -> list:
    if isinstance(data, dict) and isinstance(data.get("results"), list):
        return data["results"]  # a paginated list
    if isinstance(data, list):
        return data
    return [data] if data is not None else []


class CSVRenderer(renderers.BaseRenderer):
    """A list of flat records as CSV text (UTF-8 with BOM, CRLF line ends)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        context = renderer_context or {}
        rows = [row if isinstance(row, dict) else {"value": row} for row in _rows_of(data)]
        response = context.get("response")
        view = context.get("view")
        failed = response is not None and response.status_code >= 400
        if not failed and view is not None and hasattr(view, "get_csv_columns"):
            columns = list(view.get_csv_columns())
        else:
            names = list(dict.fromkeys(name for row in rows for name in row))
            columns = [(name, name) for name in names]
        buffer = io.StringIO()
        buffer.write(BOM)
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow([safe_cell(heading) for _, heading in columns])
        for row in rows:
            writer.writerow([safe_cell(_cell(row.get(name))) for name, _ in columns])
        return buffer.getvalue().encode("utf-8")


class CSVListMixin:
    """Viewset behaviour for CSV output of its list: the renderer, every filtered row, a
    download name."""

    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, CSVRenderer]
    csv_serializer_class = None
    csv_filename = None  # default: the resource's basename

    def get_renderers(self):
        renderers_ = super().get_renderers()
        if getattr(self, "action", None) == "list":
            return renderers_
        return [r for r in renderers_ if not isinstance(r, CSVRenderer)]  # lists only

    def wants_csv(self) -> bool:
        renderer = getattr(getattr(self, "request", None), "accepted_renderer", None)
        return getattr(renderer, "format", None) == CSVRenderer.format

    def get_serializer_class(self):
        if self.csv_serializer_class is not None and self.wants_csv():
            return self.csv_serializer_class
        return super().get_serializer_class()

    def paginate_queryset(self, queryset):
        if self.wants_csv():
            return None  # every filtered row: a spreadsheet is not read page by page
        return super().paginate_queryset(queryset)

    def get_csv_columns(self) -> list[tuple[str, str]]:
        """(field name, heading) for each column: the serializer's fields and labels."""
        fields = self.get_serializer().fields
        return [(name, str(field.label or name)) for name, field in fields.items()]

    def get_csv_filename(self) -> str:
        return f"{slugify(self.csv_filename or self.basename or 'export')}.csv"

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if self.wants_csv() and response.status_code < 400:
            response["Content-Disposition"] = f'attachment; filename="{self.get_csv_filename()}"'
        return response
