"""Spreadsheet output of the API: every list answers `?format=csv` and `?format=xlsx` (or
`Accept: text/csv` / the XLSX media type) with one row per item and human column headings.

Generic, so no viewset opts in. `CSVRenderer` and `XLSXRenderer` are in
REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"] (after JSON and the browsable API, so those stay
the default); the pagination class (commissioning/pagination.py) gives every filtered row
when one of them is chosen, since a spreadsheet is not read page by page; the renderer names
the download (`Content-Disposition: attachment; filename="<resource>.csv"`).

Columns: the view's `get_csv_columns()` when it has one ((field name, heading) pairs), else
the view serializer's readable fields, headed by their labels (DRF takes the label from the
model field's verbose_name, else from the field name: `first_year` is "First year"), with a
capital first letter and never an underscore. Nested values are written as text: lists
joined by "; ", objects as JSON; true/false as Yes/No.

Cells: every text cell is guarded against formula injection by the shared guard
(commissioning/spreadsheets.py): in CSV `safe_cell` puts an apostrophe before text that
starts like a formula; in XLSX the same text is stored as a quote-prefixed text cell (an
apostrophe in the cell's value would show in Excel). Numbers stay numbers: JSON numbers, and
the decimal strings of DecimalFields (money is `"622700000.00"` in JSON) are written as
numbers in XLSX (with as many decimal places as the field has); other text stays text, even
when it is digits (codes keep their leading zeros). In CSV, where everything is text, a cell
that is a plain number ("-30000000.00") is written as it is, not taken for a formula. Dates
stay ISO text (`2016-04-01`), as in JSON.
XLSX has a bold, frozen header row and columns as wide as their contents (within limits).

Not for errors: a 4xx or 5xx asked for as a spreadsheet answers JSON in the API's error shape
(`{"detail", "code", ...}`), with no download name. Lists are what spreadsheets are for; a
detail, a write or another action asked for one gets a file of one row (the object), or of
the rows the action answered; a viewset using `CSVListMixin` offers spreadsheets for its list
only (its other actions answer 404 to `?format=csv`, as DRF does for a format it does not
offer). A view that makes its own file (the QIPP tracker of `qipp-schemes/`) answers bytes,
which the renderers pass through unchanged.

`CSVListMixin` keeps what viewsets that used it rely on: `csv_serializer_class` shapes the
rows of a spreadsheet (CSV and XLSX alike), `csv_filename` names the download,
`get_csv_filename()` may be overridden, `wants_csv()` says a spreadsheet was asked for.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.text import capfirst, slugify
from drf_spectacular.drainage import get_override
from rest_framework import renderers, serializers

from commissioning.spreadsheets import BOM, looks_like_formula, safe_cell

CSV_MEDIA_TYPE = "text/csv"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SPREADSHEET_FORMATS = ("csv", "xlsx")
# Actions whose answer is the view serializer's representation (so its fields are the columns).
SERIALIZED_ACTIONS = {"list", "retrieve", "create", "update", "partial_update"}
PAGE_KEYS = {"count", "next", "previous", "results"}
MIN_WIDTH, MAX_WIDTH = 8, 60


def spreadsheet_format(request) -> str | None:
    """The format ("csv" or "xlsx") when the request's accepted renderer writes a
    spreadsheet, else None."""
    found = getattr(getattr(request, "accepted_renderer", None), "format", None)
    return found if found in SPREADSHEET_FORMATS else None


# --- Columns ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str  # the key in each serialised row
    heading: str
    number: bool = False  # a DecimalField: its decimal strings are numbers
    decimal_places: int | None = None  # the field's, for the XLSX number format


# Abbreviations that labels made from field names spell in lower case ("Ccg", "Rag").
ABBREVIATIONS = {word.lower(): word for word in (
    "CCG", "CCGs", "ODS", "GP", "GPs", "NHS", "QIPP", "RAG", "CQUIN", "ID", "URL", "HTML", "PDF",
    "SPC", "BCF",
)}  # fmt: skip
_WORD = re.compile(r"[A-Za-z]+")


def heading(label, name: str = "") -> str:
    """A column heading a person reads: "ODS code", "Planned saving (£)", "First year"
    (from `first_year`), "CCG" (from `ccg`); never an underscore, a capital first letter."""
    text = " ".join(str(label or "").replace("_", " ").split())
    if not text:
        text = " ".join(name.replace("_", " ").split()).capitalize()

    def spelt(match: re.Match) -> str:
        word = match.group(0)
        if word in (word.lower(), word.capitalize()):
            return ABBREVIATIONS.get(word.lower(), word)
        return word  # written with care ("QoF", "McDonald"): kept

    return capfirst(_WORD.sub(spelt, text))


def _decimal_field(field) -> serializers.DecimalField | None:
    """The field as a DecimalField: itself, or the schema field a SerializerMethodField
    declares with `extend_schema_field` (money worked out, `"-1200.00"` in JSON)."""
    if isinstance(field, serializers.SerializerMethodField):
        method = getattr(field.parent, field.method_name, None)
        field = get_override(method, "field") if method is not None else None
    return field if isinstance(field, serializers.DecimalField) else None


def serializer_columns(view) -> list[Column]:
    """The readable fields of the view's serializer, headed by their labels."""
    fields = view.get_serializer().fields
    columns = []
    for name, field in fields.items():
        if field.write_only:
            continue
        decimal = _decimal_field(field)
        number = decimal is not None
        places = decimal.decimal_places if number else None
        columns.append(Column(name, heading(field.label, name), number, places))
    return columns


def _declared_columns(view) -> list[Column]:
    """`get_csv_columns()`: (name, heading) pairs, or Columns."""
    numbers = {}
    if hasattr(view, "get_serializer"):
        numbers = {column.name: column for column in serializer_columns(view)}
    columns = []
    for item in view.get_csv_columns():
        if isinstance(item, Column):
            columns.append(item)
        else:
            name, title = item
            field = numbers.get(name)
            number, places = (field.number, field.decimal_places) if field else (False, None)
            columns.append(Column(name, heading(title, name), number, places))
    return columns


def columns_of(view, rows: list[dict]) -> list[Column]:
    if view is not None and hasattr(view, "get_csv_columns"):
        return _declared_columns(view)
    columns = []
    serialized = getattr(view, "action", None) in SERIALIZED_ACTIONS
    if serialized and hasattr(view, "get_serializer"):
        columns = serializer_columns(view)
    known = {column.name for column in columns}
    for row in rows:  # what the answer holds beyond the serializer's fields (other actions)
        for name in row:
            if name not in known:
                known.add(name)
                columns.append(Column(name, heading("", name)))
    return columns


def rows_of(data) -> list[dict]:
    """The records of an answer: a list, a page of one, or one object."""
    if isinstance(data, dict) and "results" in data and set(data) <= PAGE_KEYS:
        data = data["results"]
    if data is None:
        return []
    items = data if isinstance(data, list | tuple) else [data]
    return [item if isinstance(item, dict) else {"value": item} for item in items]


# --- Cells -----------------------------------------------------------------------------------


def text_of(value) -> str:
    """A JSON value as spreadsheet text: lists joined by "; ", objects as JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list | tuple):
        return "; ".join(text_of(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


_DECIMAL = re.compile(r"-?\d+(\.\d+)?")


def value_of(value, column: Column):
    """A cell's value: None, a number (JSON numbers, and a DecimalField's decimal strings)
    or text."""
    if value is None:
        return None
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return value
    if column.number and isinstance(value, str) and _DECIMAL.fullmatch(value):
        try:
            return Decimal(value)
        except InvalidOperation:  # pragma: no cover - the pattern is a decimal
            return value
    return text_of(value)


def csv_document(columns: list[Column], rows: list[dict]) -> bytes:
    """UTF-8 with a byte order mark (Excel reads "£" right), CRLF line ends, guarded cells."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(column.heading) for column in columns])
    for row in rows:
        writer.writerow([safe_cell(_csv_value(row.get(c.name), c)) for c in columns])
    return buffer.getvalue().encode("utf-8")


def _csv_value(value, column: Column):
    """As `value_of`, and text that is a plain number ("-500.00") is one: the guard keeps
    its apostrophe for text that could be a formula, which a number cannot."""
    found = value_of(value, column)
    if isinstance(found, str) and _DECIMAL.fullmatch(found):
        return Decimal(found)  # written as it was: Decimal keeps the digits
    return found


def xlsx_document(columns: list[Column], rows: list[dict], title: str = "Sheet1") -> bytes:
    """One sheet: a bold, frozen header row, columns as wide as their contents, numbers as
    numbers, text that looks like a formula kept as text."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    table = [[value_of(row.get(c.name), c) for c in columns] for row in rows]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(title))
    sheet.freeze_panes = "A2"
    formats = [_number_format(column) for column in columns]
    for position, column in enumerate(columns):
        longest = max((len(_shown(line[position])) for line in table), default=0)
        width = min(max(len(column.heading) + 2, longest + 2, MIN_WIDTH), MAX_WIDTH)
        sheet.column_dimensions[get_column_letter(position + 1)].width = width
    bold = Font(bold=True)

    def cell(value, number_format: str | None = None, font=None):
        if isinstance(value, str):
            # Control characters XLSX cannot hold (openpyxl refuses them) are left out.
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        made = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str) and looks_like_formula(value):
            made.data_type = "s"  # openpyxl would store "=..." as a formula
            made.quotePrefix = True  # and Excel keeps it text when it is edited
        elif number_format and isinstance(value, Decimal):
            made.number_format = number_format
        if font is not None:
            made.font = font
        return made

    sheet.append([cell(column.heading, font=bold) for column in columns])
    for line in table:
        sheet.append([cell(value, formats[i]) for i, value in enumerate(line)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _number_format(column: Column) -> str | None:
    if not column.number:
        return None
    if column.decimal_places is None:
        return "#,##0.##########"
    return "#,##0" + (f".{'0' * column.decimal_places}" if column.decimal_places else "")


def _shown(value) -> str:
    if isinstance(value, Decimal):
        return f"{value:,}"
    return "" if value is None else str(value)


def _sheet_title(title: str) -> str:
    cleaned = re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:31]
    return cleaned or "Sheet1"


# --- Download names --------------------------------------------------------------------------


def download_name(view, fmt: str) -> str:
    if view is None:
        return f"export.{fmt}"
    if hasattr(view, "get_spreadsheet_filename"):
        return view.get_spreadsheet_filename(fmt)
    parts = [getattr(view, "csv_filename", None) or getattr(view, "basename", None) or "export"]
    kwargs = getattr(view, "kwargs", None) or {}
    lookup = getattr(view, "lookup_url_kwarg", None) or getattr(view, "lookup_field", None)
    if lookup and kwargs.get(lookup) is not None:
        parts.append(str(kwargs[lookup]))
    action = getattr(view, "action", None)
    if action and action not in SERIALIZED_ACTIONS and action != "destroy":
        parts.append(action)
    return f"{file_stem('-'.join(parts))}.{fmt}"


def file_stem(text: str) -> str:
    """A download's name without its extension: letters, digits, "-", "_" and "." only."""
    return re.sub(r"[^A-Za-z0-9._]+", "-", text).strip("-.") or "export"


# --- Renderers -------------------------------------------------------------------------------


class SpreadsheetRenderer(renderers.BaseRenderer):
    """What the view answered as a spreadsheet: one row per item."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        context = renderer_context or {}
        response = context.get("response")
        view = context.get("view")
        if response is not None and response.status_code >= 400:
            return self.error(data, response, context)
        if isinstance(data, bytes | bytearray):  # a file the view made itself
            self.name_download(response, view)
            return bytes(data)
        if data is None or (response is not None and response.status_code == 204):
            return b""
        rows = rows_of(data)
        columns = columns_of(view, rows)
        self.name_download(response, view)
        stem = download_name(view, self.format).rsplit(".", 1)[0]
        return self.write(columns, rows, heading(stem.replace("-", " ")))

    def write(self, columns: list[Column], rows: list[dict], title: str) -> bytes:
        raise NotImplementedError

    def name_download(self, response, view) -> None:
        if response is not None and not response.has_header("Content-Disposition"):
            name = download_name(view, self.format)
            response["Content-Disposition"] = f'attachment; filename="{name}"'

    def error(self, data, response, context) -> bytes:
        """Refusals are JSON in the API's error shape, never a spreadsheet."""
        response["Content-Type"] = "application/json"
        if response.has_header("Content-Disposition"):
            del response["Content-Disposition"]
        if isinstance(data, bytes | bytearray):
            return bytes(data)
        return renderers.JSONRenderer().render(data, "application/json", context)


class CSVRenderer(SpreadsheetRenderer):
    """CSV text: UTF-8 with a byte order mark, CRLF line ends, every cell guarded."""

    media_type = CSV_MEDIA_TYPE
    format = "csv"
    charset = "utf-8"

    def write(self, columns, rows, title):
        return csv_document(columns, rows)


class XLSXRenderer(SpreadsheetRenderer):
    """An Excel workbook (.xlsx) of one sheet, written with openpyxl."""

    media_type = XLSX_MEDIA_TYPE
    format = "xlsx"
    charset = None

    def write(self, columns, rows, title):
        return xlsx_document(columns, rows, title=title)


# --- Viewsets with spreadsheets of their own shape ---------------------------------------------


class CSVListMixin:
    """A viewset whose spreadsheets (CSV and XLSX) are of its list only, optionally shaped by
    `csv_serializer_class` and named by `csv_filename` (default: the resource's basename)."""

    csv_serializer_class = None
    csv_filename = None

    def get_renderers(self):
        found = super().get_renderers()
        if getattr(self, "action", None) == "list":
            return found
        return [r for r in found if getattr(r, "format", None) not in SPREADSHEET_FORMATS]

    def wants_spreadsheet(self) -> bool:
        return spreadsheet_format(getattr(self, "request", None)) is not None

    def wants_csv(self) -> bool:
        """A spreadsheet (CSV or XLSX) was asked for: the name is older than XLSX output."""
        return self.wants_spreadsheet()

    def get_serializer_class(self):
        if self.csv_serializer_class is not None and self.wants_spreadsheet():
            return self.csv_serializer_class
        return super().get_serializer_class()

    def paginate_queryset(self, queryset):
        if self.wants_spreadsheet():
            return None  # every filtered row, whatever the pagination class
        return super().paginate_queryset(queryset)

    def get_csv_columns(self) -> list[tuple[str, str]]:
        """(field name, heading) for each column: the serializer's fields and labels."""
        return [(column.name, column.heading) for column in serializer_columns(self)]

    def get_csv_filename(self) -> str:
        return f"{slugify(self.csv_filename or self.basename or 'export')}.csv"

    def get_spreadsheet_filename(self, fmt: str) -> str:
        name = self.get_csv_filename()
        stem = name[: -len(".csv")] if name.lower().endswith(".csv") else name
        return f"{stem}.{fmt}"
