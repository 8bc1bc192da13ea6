"""`manage.py recover_packs`: send again the PDF pack builds whose message or worker was lost
(see plans/packs/recovery.py). Workers do this themselves when they (re)connect to the
broker and every PACK_SWEEP_SECONDS; this is for operators and cron."""

from django.core.management.base import BaseCommand, CommandError

from plans.packs.recovery import sweep


class Command(BaseCommand):
    help = "Send again the PDF pack builds whose message or worker was lost."

    def handle(self, *args, **options):
        result = sweep()
        if result.broker_unreadable:
            raise CommandError("The build queue (broker) cannot be read: nothing was changed.")
        self.stdout.write(f"Sent again: {len(result.resent)} {result.resent}; "
                          f"failed: {len(result.failed)} {result.failed}")  # fmt: skip
