"""Import measurements from a CSV or XLSX file on disk (a national file in one go)."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from commissioning.models import CCG
from governance.measurement_import import format_error, import_measurements
from governance.models import ImportStatus


class Command(BaseCommand):
    help = (
        "Import measurements from a CSV or XLSX file whose first row names the columns "
        "standard, ccg, provider, period, period_type, numerator, denominator, value, source. "
        "All or nothing: if any row is wrong, nothing is changed and every problem is listed."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The CSV or XLSX file.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and count what would change, without changing anything.",
        )
        parser.add_argument("--ccg", help="Accept rows of this CCG only (its ODS code).")
        parser.add_argument(
            "--user",
            help="The username to record as having run the import; their access applies "
            "(a planning manager imports for their own CCG only).",
        )

    def handle(self, *args, path, dry_run, ccg=None, user=None, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"There is no file at {path}.")
        requested_by = None
        if user:
            try:
                requested_by = get_user_model().objects.get_by_natural_key(user)
            except get_user_model().DoesNotExist as exc:
                raise CommandError(f"There is no user with the username '{user}'.") from exc
        for_ccg = None
        if ccg:
            for_ccg = CCG.objects.filter(ods_code=ccg.strip().upper()).first()
            if for_ccg is None:
                raise CommandError(f"There is no CCG with the ODS code '{ccg}'.")

        record = import_measurements(
            file, source_name=file.name, user=requested_by, ccg=for_ccg, dry_run=dry_run
        )
        if record.status != ImportStatus.SUCCEEDED:
            for error in record.errors:
                self.stderr.write(format_error(error))
            raise CommandError(f"Import {record.pk} failed. {record.message}")
        self.stdout.write(self.style.SUCCESS(f"Import {record.pk}: {record.message}"))
