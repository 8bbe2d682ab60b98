from django.core.management.base import BaseCommand

from billing.loader import DATA_DIR, load_rules


class Command(BaseCommand):
    help = "Load the billing rule tables (fee_schedule.csv, copay.csv, quota.csv, parameters.csv). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("directory", nargs="?", default=str(DATA_DIR))

    def handle(self, *args, directory, **options):
        counts = load_rules(directory)
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in sorted(counts.items())))
