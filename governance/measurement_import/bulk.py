"""PostgreSQL: writing an import's measurements by COPY, not row by row through the ORM.

The rows to create are copied (one COPY, streamed) into a temporary table and inserted from
it with one `INSERT INTO governance_measurement ... SELECT`, in the file's order; the rows to
update are copied with their primary keys into another and written with one
`UPDATE governance_measurement ... FROM`. What is written is what the ORM path
(`importing._orm_writes`: bulk_create and bulk_update) writes: the same columns and values,
`illustrative` false, `imported_by` the import, `updated_at` the time of the write. It runs
inside the import's transaction (all or nothing); the temporary tables are dropped when done
(and at commit in any case). Used when the database is PostgreSQL through psycopg2 (whose
cursor has `copy_expert`); anything else (SQLite) takes the ORM path.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from django.db import connection, transaction

from ..models import Measurement

NEW_TABLE = "measurement_import_new"
CHANGED_TABLE = "measurement_import_changed"
#: The row's own columns (as in MeasurementRow), copied into the temporary tables.
ROW_FIELDS = ("standard", "ccg", "provider", "period_start", "period_type", "numerator",
              "denominator", "value", "source")  # fmt: skip
FIGURE_FIELDS = ("numerator", "denominator", "value", "source")
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def available() -> bool:
    """Whether the default database can take COPY (PostgreSQL through psycopg2)."""
    if connection.vendor != "postgresql":
        return False
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    return not is_psycopg3


def insert_measurements(rows: Sequence, *, imported_by: int, now) -> int:
    """Create a Measurement for each checked row (MeasurementRow); the number created."""
    if not rows:
        return 0
    qn = connection.ops.quote_name
    fields = [Measurement._meta.get_field(name) for name in ROW_FIELDS]
    columns = ", ".join(qn(field.column) for field in fields)
    extra = [Measurement._meta.get_field(name).column for name in
             ("illustrative", "imported_by", "updated_at")]  # fmt: skip
    with transaction.atomic(), connection.cursor() as cursor:
        _create_table(cursor, NEW_TABLE, [("row", "integer"), *_typed(fields)])
        _copy(cursor, NEW_TABLE, ["row", *(f.column for f in fields)], _row_lines(rows))
        cursor.execute(  # names from the model, values as parameters
            f"INSERT INTO {qn(Measurement._meta.db_table)} "  # noqa: S608
            f"({columns}, {', '.join(qn(c) for c in extra)}) "
            f"SELECT {columns}, false, %s, %s FROM {qn(NEW_TABLE)} ORDER BY {qn('row')}",
            [imported_by, now],
        )
        created = cursor.rowcount
        cursor.execute(f"DROP TABLE {qn(NEW_TABLE)}")
    return created


def update_measurements(pairs: Sequence[tuple[int, object]], *, imported_by: int, now) -> int:
    """Write the figures of each (pk, MeasurementRow) to the stored measurement `pk`; the
    number updated."""
    if not pairs:
        return 0
    qn = connection.ops.quote_name
    fields = [Measurement._meta.get_field(name) for name in FIGURE_FIELDS]
    pk = Measurement._meta.pk
    with transaction.atomic(), connection.cursor() as cursor:
        _create_table(cursor, CHANGED_TABLE, [(pk.column, "bigint"), *_typed(fields)])
        _copy(cursor, CHANGED_TABLE, [pk.column, *(f.column for f in fields)],
              _changed_lines(pairs))  # fmt: skip
        sets = ", ".join(f"{qn(f.column)} = c.{qn(f.column)}" for f in fields)
        meta = Measurement._meta
        cursor.execute(  # names from the model, values as parameters
            f"UPDATE {qn(meta.db_table)} AS m SET {sets}, "  # noqa: S608
            f"{qn(meta.get_field('illustrative').column)} = false, "
            f"{qn(meta.get_field('imported_by').column)} = %s, "
            f"{qn(meta.get_field('updated_at').column)} = %s "
            f"FROM {qn(CHANGED_TABLE)} AS c WHERE m.{qn(pk.column)} = c.{qn(pk.column)}",
            [imported_by, now],
        )
        updated = cursor.rowcount
        cursor.execute(f"DROP TABLE {qn(CHANGED_TABLE)}")
    return updated


def _typed(fields) -> list[tuple[str, str]]:
    return [(field.column, field.db_type(connection)) for field in fields]


def _create_table(cursor, name: str, columns: list[tuple[str, str]]) -> None:
    qn = connection.ops.quote_name
    cursor.execute(f"DROP TABLE IF EXISTS {qn(name)}")  # left by an earlier import in this
    # transaction (an outer atomic block, as in tests): ON COMMIT has not dropped it yet
    cursor.execute(
        f"CREATE TEMPORARY TABLE {qn(name)} "
        f"({', '.join(f'{qn(column)} {kind}' for column, kind in columns)}) ON COMMIT DROP"
    )


def _copy(cursor, table: str, columns: list[str], lines: Iterable[str]) -> None:
    qn = connection.ops.quote_name
    sql = f"COPY {qn(table)} ({', '.join(qn(c) for c in columns)}) FROM STDIN"
    cursor.cursor.copy_expert(sql, _Stream(lines), size=1 << 16)  # psycopg2's own cursor


def _text(value) -> str:
    """A cell in COPY's text format."""
    if value is None:
        return "\\N"
    return value.translate(_ESCAPES) if isinstance(value, str) else str(value)


def _number(value) -> str:
    return "\\N" if value is None else f"{value:f}"


def _row_lines(rows) -> Iterator[str]:
    for row in rows:
        provider = "\\N" if row.provider_id is None else row.provider_id
        yield (
            f"{row.row}\t{row.standard_id}\t{row.ccg_id}\t{provider}\t{row.period_start}\t"
            f"{row.period_type}\t{_number(row.numerator)}\t{_number(row.denominator)}\t"
            f"{row.value:f}\t{_text(row.source)}\n"
        )


def _changed_lines(pairs) -> Iterator[str]:
    for pk, row in pairs:
        yield (
            f"{pk}\t{_number(row.numerator)}\t{_number(row.denominator)}\t{row.value:f}\t"
            f"{_text(row.source)}\n"
        )


class _Stream:
    """A file-like object reading the lines one chunk at a time, for COPY: the whole file's
    rows are never one string in memory."""

    def __init__(self, lines: Iterable[str]):
        self._lines = iter(lines)
        self._rest = ""

    def read(self, size: int = -1) -> str:
        if size is None or size < 0:
            data, self._rest = self._rest + "".join(self._lines), ""
            return data
        chunks, length = [self._rest], len(self._rest)
        for line in self._lines:
            chunks.append(line)
            length += len(line)
            if length >= size:
                break
        data = "".join(chunks)
        self._rest = data[size:]
        return data[:size]
