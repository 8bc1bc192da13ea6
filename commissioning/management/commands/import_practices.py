"""Import the national GP practice register (epraccur.csv) from a file on disk."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from commissioning.models.imports import ImportStatus
from commissioning.practice_register import format_error, import_practice_register


class Command(BaseCommand):
    help = (
        "Import GP practices from the national practice register file (epraccur.csv: no "
        "header row, 27 columns). All or nothing: if any row is wrong, no practice is changed "
        "and every problem is listed."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The epraccur.csv file.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and count what would change, without changing anything.",
        )
        parser.add_argument(
            "--close-missing",
            action="store_true",
            help="Close open practices that are not in the file (as of today).",
        )
        parser.add_argument("--user", help="The username to record as having run the import.")

    def handle(self, *args, path, dry_run, close_missing, user=None, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"There is no file at {path}.")
        requested_by = None
        if user:
            try:
                requested_by = get_user_model().objects.get_by_natural_key(user)
            except get_user_model().DoesNotExist as exc:
                raise CommandError(f"There is no user with the username '{user}'.") from exc

        record = import_practice_register(
            file,
            source_name=file.name,
            user=requested_by,
            dry_run=dry_run,
            close_missing=close_missing,
        )
        if record.status != ImportStatus.SUCCEEDED:
            for error in record.errors:
                self.stderr.write(format_error(error))
            raise CommandError(f"Import {record.pk} failed. {record.message}")
        self.stdout.write(self.style.SUCCESS(f"Import {record.pk}: {record.message}"))
