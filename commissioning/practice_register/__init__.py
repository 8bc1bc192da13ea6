"""Import of the national GP practice register (NHS Digital's ``epraccur.csv``).

The file has no header row and 27 columns (see ``COLUMNS``). The import is all-or-nothing:
every row is read and checked first, and if any row is wrong no practice is written; the
``DatasetImport`` record then carries a row-by-row report a planning manager can act on.

Rows whose prescribing setting (column 26) is not 4 are not GP practices (walk-in centres,
out-of-hours services, prisons...): they are skipped and counted, not reported as errors.

Existing practices flagged ``is_placeholder`` are demo stand-ins and are never touched.

The ``DatasetImport`` rows are how the product knows when the register was last imported:
``DatasetImport.objects.latest_success("practice-register")``.
"""

from .importing import import_practice_register, queue_practice_import
from .parsing import (
    COLUMNS,
    MAX_STORED_ERRORS,
    RegisterFileError,
    RowError,
    format_error,
    parse_register,
)

__all__ = [
    "COLUMNS",
    "MAX_STORED_ERRORS",
    "RegisterFileError",
    "RowError",
    "format_error",
    "import_practice_register",
    "parse_register",
    "queue_practice_import",
]
