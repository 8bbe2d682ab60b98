"""Anonymise the requests that led to nothing once their network's retention period is over (the daily task
does the same)."""
from django.core.management.base import BaseCommand

from partnerships import services


class Command(BaseCommand):
    help = "Anonymise declined or withdrawn requests older than their network's retention period."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="count only")

    def handle(self, *args, dry_run=False, **options):
        if dry_run:
            self.stdout.write(f"{services.expired_requests().count()} request(s) to anonymise")
            return
        done = services.requests_anonymise_expired()
        self.stdout.write(f"{len(done)} request(s) anonymised")
