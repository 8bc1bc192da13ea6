"""The shared spreadsheet reader and writers: bytes from anywhere, UTF-8 CSV with or without a
byte order mark, XLSX, the header found and normalised, file-level errors naming the row,
column and cell, and the one formula guard, undone on reading."""

import codecs
import io
import re
import zipfile
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from commissioning.spreadsheets import (
    BOM,
    SpreadsheetError,
    column_letter,
    csv_bytes,
    looks_like_formula,
    normalise_heading,
    read_bytes,
    read_sheet,
    safe_cell,
    unguard,
    xlsx_bytes,
)

CSV = b"Code,Period Type,Value\r\nae,month,95.2\r\n"
KNOWN = ("code", "period_type", "value")


def workbook(*rows, number_formats=None) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for ref, fmt in (number_formats or {}).items():
        sheet[ref].number_format = fmt
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "source",
    [
        pytest.param(lambda tmp: CSV, id="bytes"),
        pytest.param(lambda tmp: io.BytesIO(CSV), id="binary-file"),
        pytest.param(lambda tmp: io.StringIO(CSV.decode()), id="text-file"),
        pytest.param(lambda tmp: codecs.BOM_UTF8 + CSV, id="bytes-with-BOM"),
        pytest.param(lambda tmp: (tmp / "m.csv").write_bytes(CSV) and tmp / "m.csv", id="path"),
        pytest.param(lambda tmp: (tmp / "m.csv").write_bytes(CSV) and str(tmp / "m.csv"),
                     id="path-text"),
    ],
)  # fmt: skip
def test_a_csv_is_read_from_anywhere(tmp_path, source):
    sheet = read_sheet(source(tmp_path), known=KNOWN)

    assert sheet.columns == {"code": 0, "period_type": 1, "value": 2}
    assert sheet.rows == [(2, ("ae", "month", "95.2"))]
    assert sheet.headings["period_type"] == "Period Type"


def test_the_first_non_blank_row_is_the_header_and_blank_rows_are_dropped():
    data = b",,\r\n  ,\r\nRef,Notes,value\r\nR1,x,1\r\n,,\r\nR2,y,2\r\n"

    sheet = read_sheet(data, known=KNOWN, aliases={"ref": "code"})

    assert sheet.header_row == 3 and sheet.columns == {"code": 0, "value": 2}
    assert sheet.ignored == ["Notes"]
    assert [number for number, _ in sheet.rows] == [4, 6]
    assert sheet.value(sheet.rows[0][1], "value") == "1"
    assert sheet.value(sheet.rows[0][1], "period_type") is None
    assert sheet.cell_ref("value", 6) == "C6" and sheet.cell_ref("period_type", 6) is None


def test_xlsx_is_read_by_its_content_with_percentages_as_people_see_them():
    data = workbook(["Code", "Value", "When"], ["ae", 0.952, None],
                    number_formats={"B2": "0.0%"})  # fmt: skip

    sheet = read_sheet(data, "upload.bin", known=KNOWN)

    assert sheet.rows == [(2, ("ae", Decimal("95.2"), None))]


def test_an_xlsx_name_is_read_as_a_workbook_even_without_its_signature():
    with pytest.raises(SpreadsheetError, match="cannot be read as an Excel workbook"):
        read_sheet(CSV, "report.xlsx", known=KNOWN)


def test_not_utf8_names_the_byte_and_the_line():
    data = "code,value\nCaf\xe9,1\n".encode("cp1252")
    with pytest.raises(SpreadsheetError) as caught:
        read_sheet(data, known=KNOWN)
    assert "the byte 0xE9 at byte 14 (line 2)" in caught.value.message
    assert caught.value.row == 2


def test_the_byte_counts_the_byte_order_mark():
    data = codecs.BOM_UTF8 + "code\n\xe9\n".encode("cp1252")
    with pytest.raises(SpreadsheetError, match="at byte 8 "):
        read_sheet(data, known=KNOWN)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "The file is empty"),
        (b" , \r\n\r\n", "The file is empty"),
        ("code\n".encode("utf-16"), "UTF-16 text"),
        (b"%PDF-1.7", "a PDF document"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1", "an Excel 97-2003 workbook (.xls)"),
        (b"code\x00\x00value", "binary data"),
        (b'code,value\n"unclosed\n', None),  # the csv module reads this; no error
    ],
)
def test_unreadable_files_are_named(data, words):
    if words is None:
        assert read_sheet(data, known=KNOWN).rows == [(2, ("unclosed\n",))]
        return
    with pytest.raises(SpreadsheetError, match=re.escape(words)):
        read_sheet(data, known=KNOWN)


def test_a_known_column_twice_names_the_cell():
    with pytest.raises(SpreadsheetError) as caught:
        read_sheet(b"code,Notes,Notes,CODE\n1,2,3,4\n", known=KNOWN)
    error = caught.value
    assert (error.row, error.column, error.cell) == (1, "code", "D1")
    assert "The column 'code' appears twice in the header (row 1)" in error.message


def test_limits_on_rows_and_bytes(tmp_path):
    data = b"code\n" + b"x\n\n" * 4
    assert len(read_sheet(data, known=KNOWN, max_rows=4).rows) == 4
    with pytest.raises(SpreadsheetError, match=r"more than 3 rows \(row 8 is past") as caught:
        read_sheet(data, known=KNOWN, max_rows=3)
    assert caught.value.row == 8
    with pytest.raises(SpreadsheetError, match="larger than 10 bytes"):
        read_bytes(io.BytesIO(b"x" * 11), max_bytes=10)
    path = tmp_path / "big.csv"
    path.write_bytes(b"x" * (1024 * 1024 + 1))
    with pytest.raises(SpreadsheetError, match="larger than 1 MB"):
        read_bytes(path, max_bytes=1024 * 1024)
    assert read_bytes(b"x" * 10, max_bytes=10) == b"x" * 10


def test_a_missing_file_says_so(tmp_path):
    with pytest.raises(SpreadsheetError, match="could not be opened"):
        read_bytes(tmp_path / "absent.csv")


@pytest.mark.parametrize(
    ("text", "aliases", "expected"),
    [
        ("Period Type", None, "period_type"),
        ("  period-type ", None, "period_type"),
        ("Unique Ref", {"unique_ref": "reference"}, "reference"),
        (None, None, ""),
        ("Variance %", None, "variance_%"),
    ],
)
def test_headings_are_normalised(text, aliases, expected):
    assert normalise_heading(text, aliases) == expected


@pytest.mark.parametrize(
    ("position", "letters"), [(0, "A"), (10, "K"), (25, "Z"), (26, "AA"), (49, "AX"), (701, "ZZ")]
)
def test_column_letters(position, letters):
    assert column_letter(position) == letters


# --- The formula guard ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+44 1709", "'+44 1709"),
        ("-elective", "'-elective"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Plain text", "Plain text"),
        ("", ""),
        (None, ""),
        (Decimal("-250.00"), "-250.00"),  # a number is never a formula
        (-5, "-5"),
        ("-5", "'-5"),  # text that looks like one is guarded
    ],
)
def test_safe_cell(value, written):
    assert safe_cell(value) == written
    if isinstance(value, str):
        assert unguard(written) == value
        assert looks_like_formula(value) == (written != value)


def test_unguard_leaves_other_apostrophes():
    assert unguard("'quoted'") == "'quoted'"
    assert unguard("'") == "'"


def test_a_guarded_csv_reads_back_as_it_was_written():
    data = csv_bytes(["code", "value"], [["=HYPERLINK(1)", Decimal("-1.50")], ["-x", None]])

    assert data.startswith(BOM.encode())
    assert b"'=HYPERLINK(1),-1.50\r\n'-x,\r\n" in data
    sheet = read_sheet(data, known=KNOWN)
    assert sheet.rows == [(2, ("=HYPERLINK(1)", "-1.50")), (3, ("-x", ""))]


def test_an_xlsx_stores_formula_text_as_text_and_numbers_as_numbers():
    data = xlsx_bytes(["code", "value"], [["=1+1", Decimal("-1.50")], ["ok", 3]],
                      number_formats=[None, "0.00"])  # fmt: skip

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert "<f>" not in archive.read("xl/worksheets/sheet1.xml").decode()
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet["A1"].font.bold and sheet.freeze_panes == "A2"
    assert (sheet["A2"].value, sheet["A2"].data_type, sheet["A2"].quotePrefix) == (
        "=1+1",
        "s",
        True,
    )
    assert (sheet["B2"].value, sheet["B2"].data_type, sheet["B2"].number_format) == (
        -1.5,
        "n",
        "0.00",
    )
    read = read_sheet(data, known=KNOWN)
    assert read.rows == [(2, ("=1+1", -1.5)), (3, ("ok", 3))]
