"""`manage.py load_demo`: load the seed documents' CCGs and the demo logins (idempotent)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from commissioning.demo.loader import DEFAULT_DEMO_PASSWORD, FACTS_PATH, load_demo


class Command(BaseCommand):
    help = (
        "Load the four CCGs of the seed documents (facts in commissioning/demo/seed_facts.yaml) "
        "and the demo logins. Safe to run again: a second run changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even when settings.IS_PRODUCTION is True (creates shared-password logins).",
        )

    def handle(self, *args, force=False, **options):
        if getattr(settings, "IS_PRODUCTION", False) and not force:
            raise CommandError(
                "Refusing to load demo data: this is a production configuration "
                "(settings.IS_PRODUCTION is True). The demo creates logins, including a "
                "superuser, that share the DEMO_PASSWORD. Run with --force if you mean it."
            )
        report = load_demo()

        self.stdout.write(f"Demo data from {FACTS_PATH.name}:")
        for line in report.lines():
            self.stdout.write(f"  {line}")
        self.stdout.write(
            self.style.SUCCESS("Nothing changed.")
            if not report.changed
            else self.style.SUCCESS("Demo data loaded.")
        )

        self.stdout.write(
            "\nGoverning body composition (commissioning.governing_body; where the seeds name "
            "only some members, the warnings are expected):"
        )
        for code, messages in report.composition.items():
            self.stdout.write(f"  {code}:" + ("" if messages else " meets the rules"))
            for message in messages:
                self.stdout.write(f"    - {message}")

        if settings.DEMO_PASSWORD == DEFAULT_DEMO_PASSWORD:
            source = f"the default, '{DEFAULT_DEMO_PASSWORD}'"
        else:
            source = "set by the DEMO_PASSWORD environment variable (not shown)"
        self.stdout.write(f"\nDemo logins (password: settings.DEMO_PASSWORD, {source}):")
        width = max((len(login.username) for login in report.logins), default=0)
        for login in report.logins:
            self.stdout.write(f"  {login.username.ljust(width)}  {login.access}: {login.can}")
