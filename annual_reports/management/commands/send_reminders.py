"""Send today's annual-report reminders by hand (the daily Celery beat task runs the same service)."""
import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from annual_reports import services


class Command(BaseCommand):
    help = "Send the annual-report deadline reminders due today (each step once per person)."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="YYYY-MM-DD (default: today)")
        parser.add_argument("--dry-run", action="store_true", help="list what would be sent, send nothing")

    def handle(self, *args, today=None, dry_run=False, **options):
        try:
            day = dt.date.fromisoformat(today) if today else None
        except ValueError as exc:
            raise CommandError(f"--today: {exc}") from exc
        done = services.reminders_send(today=day, dry_run=dry_run)
        for email, network, year, step in done:
            self.stdout.write(f"{'would send' if dry_run else 'sent'}: {email} {network} {year} {step}")
        self.stdout.write(f"{len(done)} reminder(s) {'to send' if dry_run else 'sent'}")
