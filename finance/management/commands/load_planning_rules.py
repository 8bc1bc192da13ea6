"""Load the planning rules (finance/data/planning_rules.yaml), idempotently."""

from django.core.management.base import BaseCommand, CommandError

from finance.planning_rules import RULES_PATH, PlanningRulesError, load_planning_rules


class Command(BaseCommand):
    help = (
        "Create or update the planning rules of each financial year and the default QIPP RAG "
        "thresholds from the planning rules file. Running it again changes nothing. The whole "
        "file is checked first: if anything is wrong, nothing is loaded and every problem is "
        "listed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path",
            nargs="?",
            default=str(RULES_PATH),
            help="The planning rules file (default: the one shipped with the product).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and count what would change, without changing anything.",
        )

    def handle(self, *args, path, dry_run, **options):
        try:
            report = load_planning_rules(path, dry_run=dry_run)
        except PlanningRulesError as error:
            raise CommandError(error.message) from error
        for line in report.lines():
            self.stdout.write(line)
        if not dry_run:
            self.stdout.write(self.style.SUCCESS("Planning rules loaded."))
