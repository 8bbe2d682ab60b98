"""Send today's partnership reminders by hand (the daily Celery beat task runs the same services): the
10-working-day limit of requests, unsigned and ending agreements; agreements start and end on their dates."""
import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from partnerships import services


class Command(BaseCommand):
    help = "Send the partnership reminders due today (each step once per person) and apply agreement dates."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="YYYY-MM-DD (default: today)")

    def handle(self, *args, today=None, **options):
        try:
            day = dt.date.fromisoformat(today) if today else None
        except ValueError as exc:
            raise CommandError(f"--today: {exc}") from exc
        sent = services.reminders_send(today=day)
        for email, step in sent:
            self.stdout.write(f"sent: {email} {step}")
        self.stdout.write(f"{len(sent)} reminder(s) sent")
