"""The national practice register import (epraccur.csv): parsing, checks, writes, the task."""

import codecs
import io
from datetime import date
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from commissioning.models import DatasetImport, Practice
from commissioning.models.imports import Dataset, ImportStatus
from commissioning.practice_register import (
    MAX_STORED_ERRORS,
    format_error,
    import_practice_register,
    queue_practice_import,
)
from commissioning.tasks import run_practice_import
from tests.factories import LocalityFactory, PracticeFactory, UserFactory

DATA = Path(__file__).parent / "data"
VALID = DATA / "epraccur_valid.csv"
CHANGED = DATA / "epraccur_changed.csv"
GP_CODES = {"C87001", "C87002", "C87003", "C89001", "C87005", "C87006", "C87007"}


def epraccur_row(
    code,
    name="TEST SURGERY",
    *,
    open_date="19900101",
    close_date="",
    status="A",
    commissioner="03L",
    setting="4",
    town="ROTHERHAM",
):
    """One row in the 27-column epraccur format, quoted as NHS Digital quotes it."""
    cells = [code, name, "Y63", "QF7", "1 HIGH STREET", "", "", town, "", "S60 1AA"]
    cells += [open_date, close_date, status, "B", commissioner, "20130401", "", "01709 000000"]
    cells += ["", "", "", "0", "", "", "", setting, ""]
    assert len(cells) == 27
    return ",".join(f'"{c}"' if c else "" for c in cells)


def generated_file(numbers, **kwargs) -> str:
    return "\n".join(epraccur_row(f"G{n:05d}", f"SURGERY {n}", **kwargs) for n in numbers) + "\n"


def run(source, **kwargs) -> DatasetImport:
    kwargs.setdefault("source_name", getattr(source, "name", "test.csv"))
    return import_practice_register(source, **kwargs)


def error_cells(record):
    return [(e["row"], e["column"]) for e in record.errors]


@pytest.fixture
def ccgs(ccg, other_ccg):
    return {"03L": ccg, "04R": other_ccg}


# --- A valid file ---------------------------------------------------------------------------


def test_valid_file_creates_practices(ccgs):
    record = run(VALID)

    assert record.status == ImportStatus.SUCCEEDED
    assert record.dataset == Dataset.PRACTICE_REGISTER
    assert record.source_name == "epraccur_valid.csv"
    assert (record.rows_read, record.created, record.updated) == (8, 7, 0)
    assert (record.closed, record.unchanged) == (0, 0)
    assert record.errors == []
    assert record.started_at <= record.finished_at
    assert set(Practice.objects.values_list("ods_code", flat=True)) == GP_CODES
    assert "1 row was skipped: not a GP practice" in record.message
    assert "1 practice has a commissioner that is not a CCG in the system (99X)" in record.message


def test_valid_file_sets_every_field(ccgs):
    run(VALID)

    practice = Practice.objects.get(ods_code="C87001")
    assert practice.name == "CHURCH LANE SURGERY"
    assert practice.address == (
        "CHURCH LANE MEDICAL CENTRE\n1 CHURCH LANE\nKIMBERWORTH\nROTHERHAM\nSOUTH YORKSHIRE"
    )
    assert practice.town == "ROTHERHAM"
    assert practice.postcode == "S61 1AA"
    assert practice.telephone == "01709 100001"
    assert practice.open_date == date(1974, 4, 1)
    assert practice.close_date is None
    assert practice.status == "A"
    assert practice.prescribing_setting == 4
    assert practice.commissioner_code == "03L"
    assert practice.ccg == ccgs["03L"]
    assert not practice.is_placeholder


@pytest.mark.parametrize(
    ("code", "town", "address", "status", "close_date", "commissioner", "ccg_code"),
    [
        # town from address line 4 (column 8) when present
        ("C87001", "ROTHERHAM", None, "A", None, "03L", "03L"),
        # no line 4: the last non-empty of lines 1-3
        ("C87002", "MALTBY", "22 HIGH STREET\nMALTBY", "A", None, "03L", "03L"),
        ("C87003", "ROTHERHAM", None, "C", date(2018, 3, 31), "03L", "03L"),
        ("C89001", "DERBY", "PARK VIEW\nDERBY\nDERBYSHIRE", "A", None, "04R", "04R"),
        ("C87005", "ROTHERHAM", None, "D", None, "03L", "03L"),
        # unknown commissioner: kept as given, linked to no CCG
        ("C87006", "BAWTRY", None, "A", None, "99X", None),
        ("C87007", "ROTHERHAM", None, "P", None, "03L", "03L"),
    ],
)
def test_each_row(ccgs, code, town, address, status, close_date, commissioner, ccg_code):
    run(VALID)

    practice = Practice.objects.get(ods_code=code)
    assert practice.town == town
    if address is not None:
        assert practice.address == address
    assert practice.status == status
    assert practice.close_date == close_date
    assert practice.commissioner_code == commissioner
    assert practice.ccg == (ccgs[ccg_code] if ccg_code else None)


def test_same_file_twice_changes_nothing(ccgs):
    run(VALID)
    before = list(Practice.objects.order_by("ods_code").values())

    record = run(VALID)

    assert record.status == ImportStatus.SUCCEEDED
    assert (record.created, record.updated, record.closed, record.unchanged) == (0, 0, 0, 7)
    assert list(Practice.objects.order_by("ods_code").values()) == before


def test_changed_rows_update_and_close(ccgs):
    run(VALID)
    rotherham_locality = LocalityFactory(ccg=ccgs["03L"])
    Practice.objects.filter(ods_code__in=["C87001", "C87005"]).update(locality=rotherham_locality)

    record = run(CHANGED)

    assert record.status == ImportStatus.SUCCEEDED
    # C87001: new telephone; C87005: new commissioner; C87002: closed
    assert (record.created, record.updated, record.closed, record.unchanged) == (0, 2, 1, 4)
    c87001 = Practice.objects.get(ods_code="C87001")
    assert c87001.telephone == "01709 199999"
    assert c87001.locality == rotherham_locality  # same CCG: locality kept
    c87002 = Practice.objects.get(ods_code="C87002")
    assert (c87002.status, c87002.close_date) == ("C", date(2024, 3, 31))
    c87005 = Practice.objects.get(ods_code="C87005")
    assert c87005.ccg == ccgs["04R"]
    assert c87005.locality is None  # the locality belonged to the old CCG


def test_gaining_a_close_date_counts_as_closed(ccgs):
    run(io.StringIO(epraccur_row("C87001")), source_name="first.csv")

    record = run(
        io.StringIO(epraccur_row("C87001", close_date="20240331")), source_name="second.csv"
    )

    assert (record.updated, record.closed) == (0, 1)
    assert Practice.objects.get(ods_code="C87001").close_date == date(2024, 3, 31)


def test_existing_practice_not_in_file_is_left_open_by_default(ccgs):
    other = PracticeFactory(ods_code="T00001", ccg=ccgs["03L"])

    record = run(VALID)

    other.refresh_from_db()
    assert (other.status, other.close_date) == ("A", None)
    assert record.closed == 0


def test_close_missing_closes_open_practices_absent_from_the_file(ccgs):
    absent = PracticeFactory(ods_code="T00001", ccg=ccgs["03L"])
    already_closed = PracticeFactory(
        ods_code="T00002", status="C", close_date=date(2015, 3, 31), open_date=date(2000, 1, 1)
    )
    placeholder = PracticeFactory(ods_code="Z00001", is_placeholder=True)

    record = run(VALID, close_missing=True)

    assert record.status == ImportStatus.SUCCEEDED
    assert (record.created, record.closed) == (7, 1)
    assert "1 practice absent from the file was closed" in record.message
    absent.refresh_from_db()
    assert (absent.status, absent.close_date) == ("C", timezone.localdate())
    already_closed.refresh_from_db()
    assert already_closed.close_date == date(2015, 3, 31)
    placeholder.refresh_from_db()
    assert (placeholder.status, placeholder.close_date) == ("A", None)


def test_placeholders_are_never_touched(ccgs):
    placeholder = PracticeFactory(
        ods_code="C87001", name="Practice 1 (demo)", is_placeholder=True, ccg=ccgs["04R"]
    )
    before = Practice.objects.filter(pk=placeholder.pk).values().get()

    record = run(VALID)

    assert record.status == ImportStatus.SUCCEEDED
    assert record.created == 6
    assert Practice.objects.filter(pk=placeholder.pk).values().get() == before
    assert "1 demo placeholder practice in the file was left as it is" in record.message


def test_dry_run_writes_no_practice_but_records_the_import(ccgs):
    record = run(VALID, dry_run=True)

    assert record.status == ImportStatus.SUCCEEDED
    assert record.dry_run
    assert record.created == 7
    assert record.message.startswith("Dry run, nothing was changed.")
    assert "7 practices would be created" in record.message
    assert Practice.objects.count() == 0
    assert DatasetImport.objects.filter(pk=record.pk, dry_run=True).exists()


def test_dry_run_of_close_missing_closes_nothing(ccgs):
    absent = PracticeFactory(ods_code="T00001")

    record = run(VALID, dry_run=True, close_missing=True)

    assert record.closed == 1
    absent.refresh_from_db()
    assert absent.close_date is None


# --- Sources --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make_source",
    [
        pytest.param(lambda: VALID, id="path"),
        pytest.param(lambda: str(VALID), id="str-path"),
        pytest.param(lambda: io.BytesIO(VALID.read_bytes()), id="binary-stream"),
        pytest.param(lambda: io.StringIO(VALID.read_text()), id="text-stream"),
        pytest.param(
            lambda: io.BytesIO(codecs.BOM_UTF8 + VALID.read_bytes()), id="binary-with-BOM"
        ),
        pytest.param(lambda: io.StringIO("\ufeff" + VALID.read_text()), id="text-with-BOM"),
        pytest.param(lambda: io.BytesIO(VALID.read_bytes().replace(b"\n", b"\r\n")), id="CRLF"),
    ],
)
def test_sources(ccgs, make_source):
    record = run(make_source(), source_name="epraccur.csv")

    assert record.status == ImportStatus.SUCCEEDED, record.errors
    assert record.created == 7
    assert Practice.objects.get(ods_code="C87001").name == "CHURCH LANE SURGERY"


def test_user_is_recorded(ccgs):
    user = UserFactory(username="importer")

    record = run(VALID, user=user)

    assert record.requested_by == user


# --- Invalid files: all or nothing, a row-by-row report -------------------------------------


def test_one_bad_row_among_good_ones_writes_nothing(ccgs):
    existing = PracticeFactory(ods_code="C87001", name="OLD NAME", ccg=ccgs["03L"])

    record = run(DATA / "epraccur_one_bad_row.csv")

    assert record.status == ImportStatus.FAILED
    assert error_cells(record) == [(3, 11), (5, 13)]
    assert record.errors[0] == {
        "row": 3,
        "code": "C87003",
        "column": 11,
        "column_name": "open date",
        "message": "'1980-04-01' is not a date in the form YYYYMMDD",
    }
    assert format_error(record.errors[0]) == (
        "Row 3, column 11 (open date): '1980-04-01' is not a date in the form YYYYMMDD"
    )
    assert record.message.startswith("No practices were changed: 2 problems in 2 rows of 8.")
    assert (record.created, record.updated, record.closed, record.unchanged) == (0, 0, 0, 0)
    assert record.rows_read == 8
    assert record.finished_at is not None
    assert list(Practice.objects.values_list("ods_code", flat=True)) == ["C87001"]
    existing.refresh_from_db()
    assert existing.name == "OLD NAME"


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        (
            "epraccur_bad_columns.csv",
            [
                (2, None, "expected 27 columns but found 25"),
                (3, None, "expected 27 columns but found 28"),
            ],
        ),
        (
            "epraccur_bad_dates.csv",
            [
                (2, 11, "'2013-04-01' is not a date in the form YYYYMMDD"),
                (3, 11, "'20130231' is not a real date (the form is YYYYMMDD)"),
                (4, 11, "the open date is blank; expected a date in the form YYYYMMDD"),
                (5, 12, "the close date 01/01/2009 is before the open date 01/01/2010"),
                (6, 12, "'31/03/2018' is not a date in the form YYYYMMDD"),
            ],
        ),
        (
            "epraccur_bad_status.csv",
            [
                (2, 13, "'X' is not a practice status; expected one of A (active), C (closed)"),
                (3, 13, "the status is blank; expected one of A (active)"),
                (4, 13, "'a' is not a practice status"),
            ],
        ),
        (
            "epraccur_duplicate_codes.csv",
            [(3, 1, "'C87001' appears again; it was first on row 1")],
        ),
        (
            "epraccur_bad_codes.csv",
            [
                (1, 1, "'c87001' is not a GP practice code: one capital letter and 5 digits"),
                (2, 1, "'C8700' is not a GP practice code"),
                (3, 2, "the practice name is blank"),
                (4, 26, "'GP' is not a whole number (4 means a GP practice)"),
            ],
        ),
    ],
)
def test_invalid_files_are_reported_row_by_row(ccgs, filename, expected):
    record = run(DATA / filename)

    assert record.status == ImportStatus.FAILED
    assert error_cells(record) == [(row, column) for row, column, _ in expected]
    for error, (_, _, message) in zip(record.errors, expected, strict=True):
        assert message in error["message"]
    assert Practice.objects.count() == 0


def test_column_count_error_names_the_row_and_code(ccgs):
    record = run(DATA / "epraccur_bad_columns.csv")

    assert record.errors[0]["code"] == "C87002"
    assert format_error(record.errors[0]).startswith("Row 2: expected 27 columns but found 25.")


def test_a_header_row_is_named_as_such(ccgs):
    header = ",".join(["Organisation Code", "Name"] + [f"Column {n}" for n in range(3, 28)])
    source = io.StringIO(header + "\n" + epraccur_row("C87001") + "\n")

    record = run(source, source_name="with-header.csv")

    assert error_cells(record) == [(1, 1)]
    assert "looks like a header row" in record.errors[0]["message"]


def test_not_utf8_fails_naming_the_byte(ccgs):
    record = run(DATA / "epraccur_not_utf8.csv")

    assert record.status == ImportStatus.FAILED
    offset = (DATA / "epraccur_not_utf8.csv").read_bytes().index(b"\xc9")
    assert f"the byte 0xC9 at byte offset {offset} (line 2)" in record.message
    assert "Save the file as UTF-8" in record.message
    assert record.errors == [
        {"row": 2, "code": "", "column": None, "column_name": "", "message": record.message}
    ]
    assert Practice.objects.count() == 0


@pytest.mark.parametrize(
    "source",
    [
        pytest.param(DATA / "epraccur_empty.csv", id="empty-file"),
        pytest.param(io.BytesIO(b"\n\n  \n"), id="blank-lines"),
        pytest.param(io.BytesIO(codecs.BOM_UTF8), id="only-a-BOM"),
    ],
)
def test_empty_file_fails(ccgs, source):
    record = run(source, source_name="empty.csv")

    assert record.status == ImportStatus.FAILED
    assert record.message.startswith("The file is empty")


def test_missing_path_fails(db, tmp_path):
    record = run(tmp_path / "nowhere.csv")

    assert record.status == ImportStatus.FAILED
    assert record.message.startswith("The file could not be opened")


def test_stored_errors_are_capped(ccgs):
    rows = [epraccur_row(f"G{n:05d}", open_date="2013-04-01") for n in range(1, 1006)]

    record = run(io.StringIO("\n".join(rows)), source_name="bad.csv")

    assert record.status == ImportStatus.FAILED
    assert len(record.errors) == MAX_STORED_ERRORS
    assert record.errors[-1]["row"] == MAX_STORED_ERRORS
    assert "1,005 problems in 1,005 rows" in record.message
    assert "The first 1,000 problems are listed; 5 more are not shown." in record.message


# --- The record of imports ------------------------------------------------------------------


def test_latest_success_is_the_newest_successful_import(ccgs):
    assert DatasetImport.objects.latest_success(Dataset.PRACTICE_REGISTER) is None
    first = run(VALID)
    second = run(CHANGED)
    run(DATA / "epraccur_one_bad_row.csv")  # a later failure does not count

    latest = DatasetImport.objects.latest_success("practice-register")

    assert latest == second != first
    assert DatasetImport.objects.count() == 3


def test_a_dry_run_is_not_the_latest_import(ccgs):
    real = run(VALID)
    run(CHANGED, dry_run=True)

    assert DatasetImport.objects.latest_success("practice-register") == real


# --- Scale ----------------------------------------------------------------------------------


def count_queries(text: str, **kwargs) -> int:
    with CaptureQueriesContext(connection) as queries:
        record = run(io.StringIO(text), source_name="generated.csv", **kwargs)
    assert record.status == ImportStatus.SUCCEEDED, record.errors
    return len(queries)


def test_queries_do_not_grow_with_rows(ccgs):
    PracticeFactory.create_batch(3)  # existing practices absent from both files
    small, large = range(1, 6), range(100, 150)

    creating = count_queries(generated_file(small)), count_queries(generated_file(large))
    updating = (
        count_queries(generated_file(small, status="D", commissioner="04R")),
        count_queries(generated_file(large, status="D", commissioner="04R")),
    )
    closing = (
        count_queries(generated_file(small), close_missing=True),
        count_queries(generated_file(large), close_missing=True),
    )

    assert creating[0] == creating[1]
    assert updating[0] == updating[1]
    assert closing[0] == closing[1]
    assert max(creating + updating + closing) <= 12
    assert Practice.objects.count() == 58


# --- The background task --------------------------------------------------------------------


@pytest.fixture
def stored_import(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    def make(content: bytes, **kwargs):
        return DatasetImport.objects.create(
            dataset=Dataset.PRACTICE_REGISTER,
            source_name="epraccur.csv",
            file=ContentFile(content, name="epraccur.csv"),
            **kwargs,
        )

    return make


def test_task_imports_the_stored_file(ccgs, stored_import):
    record = stored_import(VALID.read_bytes())
    assert record.status == ImportStatus.QUEUED

    run_practice_import.delay(record.pk)

    record.refresh_from_db()
    assert record.status == ImportStatus.SUCCEEDED
    assert record.created == 7
    assert record.source_name == "epraccur.csv"
    assert Practice.objects.count() == 7
    assert DatasetImport.objects.count() == 1


def test_task_records_a_failed_file(ccgs, stored_import):
    record = stored_import((DATA / "epraccur_one_bad_row.csv").read_bytes())

    assert run_practice_import(record.pk) == ImportStatus.FAILED

    record.refresh_from_db()
    assert error_cells(record) == [(3, 11), (5, 13)]
    assert Practice.objects.count() == 0


def test_task_honours_dry_run_and_close_missing(ccgs, stored_import):
    absent = PracticeFactory(ods_code="T00001")
    record = stored_import(VALID.read_bytes(), dry_run=True, close_missing=True)

    run_practice_import(record.pk)

    record.refresh_from_db()
    assert (record.status, record.created, record.closed) == ("succeeded", 7, 1)
    absent.refresh_from_db()
    assert absent.close_date is None
    assert Practice.objects.count() == 1


@pytest.mark.parametrize("status", [ImportStatus.SUCCEEDED, ImportStatus.FAILED])
def test_task_does_not_redo_a_finished_import(ccgs, stored_import, status):
    record = stored_import(VALID.read_bytes(), status=status, message="done before")

    assert run_practice_import(record.pk) == status

    record.refresh_from_db()
    assert (record.status, record.message) == (status, "done before")
    assert Practice.objects.count() == 0


def test_task_reruns_an_interrupted_import(ccgs, stored_import):
    record = stored_import(VALID.read_bytes(), status=ImportStatus.RUNNING)

    assert run_practice_import(record.pk) == ImportStatus.SUCCEEDED
    assert Practice.objects.count() == 7


def test_task_without_a_file_fails_clearly(db):
    record = DatasetImport.objects.create(dataset=Dataset.PRACTICE_REGISTER, source_name="x")

    assert run_practice_import(record.pk) == ImportStatus.FAILED

    record.refresh_from_db()
    assert "No file was stored" in record.message


def test_task_for_a_missing_record_does_nothing(db):
    assert run_practice_import(999_999) is None


def test_queue_stores_the_file_and_runs_after_commit(
    ccgs, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    user = UserFactory()
    upload = ContentFile(VALID.read_bytes(), name="epraccur.csv")

    with django_capture_on_commit_callbacks(execute=True):
        record = queue_practice_import(upload, user=user)
        assert record.status == ImportStatus.QUEUED

    record.refresh_from_db()
    assert record.status == ImportStatus.SUCCEEDED
    assert record.requested_by == user
    assert record.file.name.startswith("imports/")
    assert (tmp_path / record.file.name).is_file()
    assert Practice.objects.count() == 7
