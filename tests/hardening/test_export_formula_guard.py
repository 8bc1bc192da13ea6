"""Formula injection in every export: text a user typed that starts like a spreadsheet
formula (= + - @, a tab or a carriage return) comes out guarded in every CSV and XLSX file
the application writes, and negative money stays a number.

The table (`EXPORTS`) is every API list as `?format=csv` and `?format=xlsx` (enumerated from
the router, so a new resource is covered by itself) and the page exports: the consultation
comments CSV, the QIPP tracker download and the audit log export. The risk register and the
action log link to the API's own CSV (risks, actions), so the API rows cover them.

Given the permission matrix's world (one record of every kind in CCG A), with every
free-text CharField/TextField of CCG A's records set to a formula (QuerySet.update), every
DecimalField to -1200 and a risk changed through the model (so the audit log holds formula
text): when each export is downloaded, then
- CSV: no cell starts with a formula character unless it is a plain number; a cell holding
  a formula string is prefixed with one apostrophe (commissioning.spreadsheets.safe_cell);
  -1200 is written unquoted, as a number;
- XLSX: no cell is a formula (data type "f"); text starting like a formula is a string
  cell with Excel's quote prefix; -1200 is a numeric cell.
Positive control: each export holds at least one guarded formula string, and the whole
table checks at least MIN_PAIRS (export, column) pairs.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import DatabaseError, models, transaction
from django.urls import URLResolver, get_resolver, reverse
from openpyxl import load_workbook

from commissioning.api_registry import router
from commissioning.spreadsheets import FORMULA_STARTS
from priorities.views_delivery import csv_url as delivery_csv_url
from tests.access.world import build_world, client_for

pytestmark = pytest.mark.django_db

# What users type (the OWASP examples), each tagged so a cell is traced to its field.
FORMULAS = ('=HYPERLINK("http://evil","x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1")
TAG = "FX"
SHORTEST = "=FX"  # for a field too short for the others
MONEY = Decimal("-1200")
NUMBER = re.compile(r"-?\d+(\.\d+)?")
MINUS_1200 = re.compile(r"-1200(\.0+)?")
# Text the application makes, not people: identifiers, hashes and codes read by code.
NOT_FREE_TEXT = {"ods_code", "code", "postcode", "commissioner_code", "rule_code", "task_id",
                 "input_hash", "sha256", "target_collection", "catalogue_version"}  # fmt: skip
MIN_PAIRS = 300  # (export, column) pairs holding a guarded formula, over the whole table
MIN_NUMBER_PAIRS = 75  # (export, column) pairs holding -1200 as a number
# Money worked out by the API (SerializerMethodFields declared as decimals): numbers in XLSX.
WORKED_MONEY = {("api contracts .xlsx", "Lines total"),
                ("api pooled-budgets .xlsx", "Contributions low"),
                ("api pooled-budgets .xlsx", "Contributions high"),
                ("api pooled-budgets .xlsx", "Schemes total"),
                ("QIPP tracker .xlsx", "Planned saving")}  # fmt: skip


# --- Marking the world -------------------------------------------------------------------


def model_of(viewset):
    queryset = getattr(viewset, "queryset", None)
    if queryset is not None:
        return queryset.model
    if getattr(viewset, "model", None) is not None:
        return viewset.model
    meta = getattr(getattr(viewset, "serializer_class", None), "Meta", None)
    return getattr(meta, "model", None)


def free_text_fields(model) -> list:
    """The CharFields and TextFields a person types into: no choices, not unique, not a
    code, an address or a hash."""
    found = []
    for item in model._meta.concrete_fields:
        if not isinstance(item, models.CharField | models.TextField):
            continue
        if isinstance(item, models.EmailField | models.URLField | models.SlugField):
            continue
        if item.choices or item.unique or item.primary_key or item.name in NOT_FREE_TEXT:
            continue
        found.append(item)
    return found


def formula_for(item, number: int) -> str | None:
    text = f"{FORMULAS[number % len(FORMULAS)]} {TAG}{number}"
    limit = getattr(item, "max_length", None)
    if limit is None or len(text) <= limit:
        return text
    return SHORTEST if limit >= len(SHORTEST) else None


def mark_formulas(queryset, start: int = 0) -> int:
    """Every free-text field of the records to a formula string (one update); every
    DecimalField to -1200 where the database takes it. The number of fields marked."""
    model = queryset.model
    values = {}
    for number, item in enumerate(free_text_fields(model), start=start):
        text = formula_for(item, number)
        if text is not None:
            values[item.name] = text
    if values:
        queryset.update(**values)
    for item in model._meta.concrete_fields:
        if isinstance(item, models.DecimalField) and not item.choices:
            try:
                with transaction.atomic():
                    queryset.update(**{item.name: MONEY})
            except DatabaseError:  # a constraint (a positive amount, say): left as it was
                pass
    return len(values)


def marked_world():
    """The matrix world with CCG A's record of every API resource marked, and a risk change
    in the audit log whose old and new values are formulas."""
    world = build_world()
    risk = world.things["risk_a"]
    risk.refresh_from_db()
    risk.owner = '=HYPERLINK("http://evil","owner") FXaudit'
    risk.save()
    number = 0
    for prefix, viewset, _ in router.registry:
        model = model_of(viewset)
        if model is None:
            continue  # audit events: the history rows made above
        lookup = getattr(viewset, "lookup_field", "pk") or "pk"
        own = world.objects[prefix][0]
        number += mark_formulas(model._base_manager.filter(**{lookup: own}), start=number)
    risk.refresh_from_db()
    risk.owner = "@SUM(A1) FXaudit"
    risk.save()
    return world


# --- Reading exports ------------------------------------------------------------------------


@dataclass
class Checked:
    guarded: set = field(default_factory=set)  # columns holding a guarded formula string
    numbers: set = field(default_factory=set)  # columns holding -1200 as a number
    problems: list = field(default_factory=list)


def starts_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(text)


def check_csv(body: bytes) -> Checked:
    assert body.startswith(b"\xef\xbb\xbf"), "CSV without its byte order mark"
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    assert rows, "an empty CSV file"
    headings, found = rows[0], Checked()
    for line, row in enumerate(rows[1:], start=2):
        for position, cell in enumerate(row):
            column = headings[position] if position < len(headings) else str(position)
            if starts_like_formula(cell):
                found.problems.append(f"row {line}, {column!r}: unguarded {cell!r}")
            elif cell.startswith("'") and starts_like_formula(cell[1:]) and TAG in cell:
                found.guarded.add(column)
            if MINUS_1200.fullmatch(cell):
                found.numbers.add(column)
            elif MINUS_1200.fullmatch(cell.lstrip("'")):
                found.problems.append(f"row {line}, {column!r}: the number {cell!r} as text")
    return found


def check_xlsx(body: bytes) -> Checked:
    assert body.startswith(b"PK\x03\x04"), "not an XLSX workbook"
    sheet = load_workbook(io.BytesIO(body)).worksheets[0]
    rows = list(sheet.iter_rows())
    assert rows, "an empty workbook"
    headings, found = [cell.value for cell in rows[0]], Checked()
    for row in rows[1:]:
        for cell in row:
            position = cell.column - 1
            column = headings[position] if position < len(headings) else str(position)
            where = f"{cell.coordinate}, {column!r}"
            value = cell.value
            if cell.data_type == "f":
                found.problems.append(f"{where}: a formula {value!r}")
            elif isinstance(value, str):
                # XML reads a stored carriage return back as a line feed.
                text = "\r" + value[1:] if value.startswith("\n") else value
                if text.startswith(FORMULA_STARTS):
                    if MINUS_1200.fullmatch(text):
                        found.problems.append(f"{where}: the number {value!r} as text")
                    elif not cell.quotePrefix:
                        found.problems.append(f"{where}: text {value!r} without a quote prefix")
                    elif TAG in text:
                        found.guarded.add(column)
            elif cell.data_type == "n" and value is not None and Decimal(str(value)) == MONEY:
                found.numbers.add(column)
    return found


CHECKERS = {"csv": check_csv, "xlsx": check_xlsx}


# --- The table ------------------------------------------------------------------------------


def api_url(prefix):
    return lambda world: f"/api/v1/{prefix}/"


def page(name, **kwargs):
    def build(world):
        found = {k: (v(world) if callable(v) else v) for k, v in kwargs.items()}
        return reverse(name, kwargs=found)

    return build


@dataclass(frozen=True)
class Export:
    name: str
    fmt: str
    url: object  # world -> path
    params: dict

    @property
    def key(self) -> str:
        return f"{self.name} .{self.fmt}"


def api_exports():
    for prefix, _, _ in sorted(router.registry):
        for fmt in CHECKERS:
            yield Export(f"api {prefix}", fmt, api_url(prefix), {"format": fmt})


PAGE_EXPORTS = [
    Export("consultation comments", "csv",
           page("plan-consultation-csv", pk=lambda w: w.things["plan_a"].pk), {}),
    *(Export("QIPP tracker", fmt, page("qipp-export", ods="03L", fmt=fmt), {})
      for fmt in CHECKERS),
    *(Export("audit log", fmt, page("ccg-audit-export", ods="03L", fmt=fmt), {})
      for fmt in CHECKERS),
    # The pages' links to the API's CSV, with the filters the pages give them.
    Export("risk register link", "csv", lambda w: reverse("api:risk-list"),
           {"ccg": "03L", "format": "csv"}),
    Export("action log link", "csv", lambda w: delivery_csv_url(w.things["plan_a"]), {}),
]  # fmt: skip
# URL patterns that name a file type: each is a page export, in PAGE_EXPORTS.
PAGE_DOWNLOADS = {"plan-consultation-csv", "qipp-export", "ccg-audit-export"}
EXPORTS = {e.key: e for e in [*api_exports(), *PAGE_EXPORTS]}
# Known unguarded exports: key ("api risks .xlsx") -> reason. Their case is xfail(strict).
UNGUARDED: dict[str, str] = {}


def download(world, export: Export) -> bytes:
    response = client_for(world, "staff").get(export.url(world), export.params)
    assert response.status_code == 200, (export.key, response.status_code)
    assert not response["Content-Type"].startswith("application/json"), export.key
    return response.content


def check(world, export: Export) -> Checked:
    return CHECKERS[export.fmt](download(world, export))


def cases():
    """One case per exported thing (its CSV and its XLSX: one marked world for both)."""
    names = dict.fromkeys(export.name for export in EXPORTS.values())
    found = []
    for name in names:
        keys = [key for key, export in EXPORTS.items() if export.name == name]
        known = [UNGUARDED[key] for key in keys if key in UNGUARDED]
        marks = [pytest.mark.xfail(strict=True, reason="; ".join(known))] if known else []
        found.append(pytest.param(keys, marks=marks, id=name))
    return found


@pytest.mark.parametrize("keys", cases())
def test_export_guards_formulas_and_keeps_numbers(keys):
    # Given CCG A's records with formulas typed into their free text and -1200 as money
    world = marked_world()
    for key in keys:
        # When the export is downloaded
        found = check(world, EXPORTS[key])
        # Then no cell would run as a formula, and negative numbers are numbers
        assert not found.problems, f"{key}: {found.problems[:5]}"
        # And the formula strings are there, guarded (the check cannot pass on an empty file):
        # every export shows some marked text (a record's own, or a related record's name)
        assert found.guarded, f"{key}: no guarded formula string found"


def url_patterns(patterns=None):
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from url_patterns(pattern.url_patterns)
        else:
            yield pattern


def test_the_table_covers_every_export():
    # Every API resource, as CSV and as XLSX
    prefixes = {prefix for prefix, _, _ in router.registry}
    missing = [f"api {p} .{fmt}" for p in sorted(prefixes) for fmt in CHECKERS
               if f"api {p} .{fmt}" not in EXPORTS]  # fmt: skip
    assert not missing, missing
    # Every page download (a URL pattern naming a file type), and no more
    downloads = {
        pattern.name
        for pattern in url_patterns()
        if re.search(r"\.(csv|xlsx|<str:fmt>)$", str(pattern.pattern))
    }
    assert downloads == PAGE_DOWNLOADS, downloads
    assert {e.name for e in PAGE_EXPORTS} >= {"consultation comments", "QIPP tracker", "audit log"}
    # The pages that link to the API's CSV link to resources the table covers
    assert delivery_csv_url(SimpleNamespace(pk=1)).startswith("/api/v1/actions/?")
    assert reverse("api:risk-list") == "/api/v1/risks/"
    assert {"actions", "risks"} <= prefixes


def test_every_export_checked_together_counts_its_columns():
    # Given one marked world; when every export the table names is downloaded
    world = marked_world()
    pairs, numbers, problems = set(), set(), []
    for key, export in EXPORTS.items():
        if key in UNGUARDED:
            continue
        found = check(world, export)
        pairs |= {(key, column) for column in found.guarded}
        numbers |= {(key, column) for column in found.numbers}
        problems += [f"{key}: {problem}" for problem in found.problems]
    # Then nothing is unguarded, and many (export, column) pairs held a guarded formula
    assert not problems, problems[:10]
    assert len(pairs) >= MIN_PAIRS, f"only {len(pairs)} guarded (export, column) pairs"
    assert len(numbers) >= MIN_NUMBER_PAIRS, f"only {len(numbers)} numeric -1200 pairs"
    assert not WORKED_MONEY - numbers, sorted(WORKED_MONEY - numbers)
    print(f"formula guard: {len(pairs)} (export, column) pairs guarded, "
          f"{len(numbers)} numeric -1200 pairs, {len(EXPORTS)} exports")  # fmt: skip
