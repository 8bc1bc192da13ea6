"""Load the standards catalogue (governance/data/standards.yaml), idempotently."""

from django.core.management.base import BaseCommand, CommandError

from governance.catalogue import CATALOGUE_PATH, CatalogueError, load_catalogue


class Command(BaseCommand):
    help = (
        "Create or update the national standards and their dated thresholds from the "
        "catalogue file. Running it again changes nothing. The whole file is checked first: "
        "if anything is wrong, nothing is loaded and every problem is listed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path",
            nargs="?",
            default=str(CATALOGUE_PATH),
            help="The catalogue file (default: the one shipped with the product).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and count what would change, without changing anything.",
        )

    def handle(self, *args, path, dry_run, **options):
        try:
            report = load_catalogue(path, dry_run=dry_run)
        except CatalogueError as error:
            raise CommandError(error.message) from error
        for line in report.lines():
            self.stdout.write(line)
        if not dry_run:
            self.stdout.write(self.style.SUCCESS("Standards catalogue loaded."))
