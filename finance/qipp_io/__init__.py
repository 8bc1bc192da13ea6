"""QIPP reports in and out, as CSV or Excel (.xlsx), in the layout real monthly QIPP
reports use (`COLUMNS`): Unique ref, Programme, Project name, Point of delivery, Provider
(ODS code), Lead, Activity change, Activity unit, Status, Planned saving (the year's), Gross
plan, Gross actual, Gross variance and Variance % (year to date), then M1 plan, M1 actual,
M1 forecast ... M12 forecast (M1 is April).

Import (`import_qipp`, `apply_import`), all or nothing:

- the first non-blank row names the columns, in any order, in any case ("unique ref",
  "Ref", "Apr plan" and "M01 plan" are read too); Unique ref, Programme, Project name and
  Planned saving are required; other columns the import does not know are ignored and named
  in the summary; a column the file leaves out leaves that field (or month) of a stored
  scheme as it is, and takes its default for a new one;
- a scheme is found by (CCG, year, Unique ref) and created when new, updated when a cell
  differs, else counted unchanged; schemes of the year that are not in the file are left
  alone. A programme is found by name in the CCG (in any case) and created when new (the
  preview and summary name it). A provider is found by ODS code and must exist;
- Activity unit and Status take a label or a code (`On track`, `on-track`); a blank status
  is Not started, a blank plan is 0, a blank actual means the month is not reported yet and
  a blank forecast means none was made;
- Gross plan, Gross actual, Gross variance and Variance %, when given, must agree with the
  months (finance.qipp_figures: the year to date runs to the last month with an actual), to
  the places they are written in; a disagreement is an error naming that cell;
- numbers: see finance.qipp_io.cells (`£1,234.50`, `1,234`, `(500)` for -500 are read;
  `12k` is refused with the exact figure to write); the planned saving and the monthly
  plans cannot be negative (actuals and forecasts can: a scheme can lose money in a month);
- refused: files over 5 MB or 5,000 rows, empty files, files that are not CSV (UTF-8) or
  XLSX, duplicate refs, missing required columns, a column named twice, bad numbers and
  codes. Each problem is reported as {"row", "column", "cell", "message"}.

Export (`export_rows`, `qipp_csv`, `qipp_xlsx`) writes labels for unit and status and the
derived columns from finance.qipp_figures, so the file re-imports with every scheme
unchanged; text that would run as a formula is guarded (commissioning.spreadsheets).
"""

from .cells import CellError
from .checking import RowError, format_error
from .columns import COLUMNS, DERIVED_COLUMNS, MONTH_COLUMNS, REQUIRED, month_column
from .exports import export_rows, qipp_csv, qipp_xlsx
from .importing import MAX_BYTES, MAX_ROWS, MAX_STORED_ERRORS, apply_import, import_qipp

__all__ = [
    "COLUMNS",
    "DERIVED_COLUMNS",
    "MAX_BYTES",
    "MAX_ROWS",
    "MAX_STORED_ERRORS",
    "MONTH_COLUMNS",
    "REQUIRED",
    "CellError",
    "RowError",
    "apply_import",
    "export_rows",
    "format_error",
    "import_qipp",
    "month_column",
    "qipp_csv",
    "qipp_xlsx",
]
