"""manage.py import_practices PATH [--dry-run] [--close-missing] [--user USERNAME]"""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from commissioning.models import DatasetImport, Practice
from commissioning.models.imports import ImportStatus
from tests.factories import PracticeFactory, UserFactory

DATA = Path(__file__).parent / "data"


def import_practices(*args):
    out, err = StringIO(), StringIO()
    call_command("import_practices", *[str(a) for a in args], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_imports_and_prints_the_summary(ccg, other_ccg):
    out, err = import_practices(DATA / "epraccur_valid.csv")

    record = DatasetImport.objects.get()
    assert record.status == ImportStatus.SUCCEEDED
    assert f"Import {record.pk}: Read 8 rows: 7 practices created, 0 updated" in out
    assert "1 row was skipped: not a GP practice" in out
    assert err == ""
    assert Practice.objects.count() == 7


def test_second_run_reports_unchanged(ccg, other_ccg):
    import_practices(DATA / "epraccur_valid.csv")

    out, _ = import_practices(DATA / "epraccur_valid.csv")

    assert "0 practices created, 0 updated, 0 closed, 7 unchanged." in out


def test_failed_import_prints_every_error_and_exits_non_zero(ccg):
    with pytest.raises(CommandError) as excinfo:
        call_command(
            "import_practices",
            str(DATA / "epraccur_one_bad_row.csv"),
            stdout=StringIO(),
            stderr=(err := StringIO()),
        )

    assert "failed. No practices were changed: 2 problems in 2 rows of 8." in str(excinfo.value)
    assert err.getvalue().splitlines() == [
        "Row 3, column 11 (open date): '1980-04-01' is not a date in the form YYYYMMDD",
        "Row 5, column 13 (status): 'X' is not a practice status; expected one of "
        "A (active), C (closed), D (dormant), P (proposed)",
    ]
    assert Practice.objects.count() == 0
    assert DatasetImport.objects.get().status == ImportStatus.FAILED


def test_failed_import_exit_code_from_the_command_line(ccg):
    with pytest.raises(SystemExit) as excinfo:
        from django.core.management import execute_from_command_line

        execute_from_command_line(
            ["manage.py", "import_practices", str(DATA / "epraccur_not_utf8.csv")]
        )

    assert excinfo.value.code != 0


def test_not_utf8_message(ccg):
    with pytest.raises(CommandError, match=r"not UTF-8 text: the byte 0xC9 at byte offset \d+"):
        import_practices(DATA / "epraccur_not_utf8.csv")


def test_dry_run(ccg, other_ccg):
    out, _ = import_practices(DATA / "epraccur_valid.csv", "--dry-run")

    assert "Dry run, nothing was changed." in out
    assert "7 practices would be created" in out
    assert Practice.objects.count() == 0
    assert DatasetImport.objects.get().dry_run


def test_close_missing(ccg, other_ccg):
    absent = PracticeFactory(ods_code="T00001", ccg=ccg)

    out, _ = import_practices(DATA / "epraccur_valid.csv", "--close-missing")

    assert "1 closed" in out
    absent.refresh_from_db()
    assert absent.status == "C"


def test_user_is_recorded(ccg, other_ccg):
    user = UserFactory(username="planner1")

    import_practices(DATA / "epraccur_valid.csv", "--user", "planner1")

    assert DatasetImport.objects.get().requested_by == user


def test_unknown_user(db):
    with pytest.raises(CommandError, match="no user with the username 'nobody'"):
        import_practices(DATA / "epraccur_valid.csv", "--user", "nobody")
    assert DatasetImport.objects.count() == 0


def test_missing_file(db, tmp_path):
    with pytest.raises(CommandError, match="There is no file at"):
        import_practices(tmp_path / "epraccur.csv")
    assert DatasetImport.objects.count() == 0
