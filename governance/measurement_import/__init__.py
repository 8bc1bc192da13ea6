"""Import of measurements from CSV or XLSX files, by column name, all or nothing.

Columns (the first row names them, in any order; others are ignored):

- `standard`: the standard's code (`ae-4-hours`); `ccg`: the CCG's ODS code (`03L`);
  `provider`: a provider's ODS code, optional (blank: the CCG as a whole);
- `period`: a month as `2016-04` (or `2016-04-01`, `Apr-16`, an Excel date on the 1st), or a
  quarter as `2016/17 Q1`, or by its first month with `period_type` `quarter`; a blank
  `period_type` means the standard's usual frequency;
- `numerator`, `denominator`, `value`: for a percentage a blank value is worked out as
  numerator / denominator × 100, and a value given with both must agree with it to the places
  it is written to; counts and rates need the value; `source`: optional text.

Every row is checked before anything is written; if any row is wrong nothing is written and the
MeasurementImport carries a row-by-row report (row, column, the cell, what is wrong). A row's
key is (standard, CCG, provider, period type, period): a row already stored is updated if a
figure differs, else counted unchanged, so importing the same file again changes nothing. A
planning manager imports for their own CCG only; staff, assurers and the system for any.

The newest successful, non-dry-run import says how current the data is:
`MeasurementImport.objects.latest_success()` and its `latest_period` (the last month covered).
"""

from .cells import CellError, parse_number, parse_period, period_label, resolve_value
from .checking import RowError, format_error, import_refusal, importable_ccgs
from .importing import (
    BATCH_SIZE,
    MAX_STORED_ERRORS,
    import_measurements,
    queue_measurement_import,
)
from .reading import COLUMNS, MeasurementFileError

__all__ = [
    "BATCH_SIZE",
    "COLUMNS",
    "MAX_STORED_ERRORS",
    "CellError",
    "MeasurementFileError",
    "RowError",
    "format_error",
    "import_measurements",
    "import_refusal",
    "importable_ccgs",
    "parse_number",
    "parse_period",
    "period_label",
    "queue_measurement_import",
    "resolve_value",
]
