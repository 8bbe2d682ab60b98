"""manage.py import_sessions FILE --network CODE [--dry-run] --report REPORT.csv"""
import time
import tracemalloc

from django.core.management.base import BaseCommand, CommandError

from billing.importer import ImportRefused, report_csv, run_import
from psynet.models import Network


class Command(BaseCommand):
    help = "Import sessions from a CSV file (portal layout) through the billing rules, with a row-by-row report."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--network", required=True)
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--report", required=True)
        parser.add_argument("--stats", action="store_true", help="print rows/s and peak memory")

    def handle(self, *args, file, network, dry_run, report, stats, **options):
        try:
            network_obj = Network.objects.get(code=network)
        except Network.DoesNotExist:
            raise CommandError(f"Unknown network {network}.")
        with open(file, "rb") as handle:
            data = handle.read()
        if stats:
            tracemalloc.start()
        started = time.perf_counter()
        try:
            rows, counts = run_import(network=network_obj, data=data, dry_run=dry_run,
                                      actor_label="manage.py import_sessions")
        except ImportRefused as exc:
            raise CommandError(f"File refused, nothing written: {exc.message}")
        elapsed = time.perf_counter() - started
        with open(report, "w", encoding="utf-8", newline="") as handle:
            handle.write(report_csv(rows))
        self.stdout.write(f"{len(rows)} rows: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
                          + (" (dry run: nothing written)" if dry_run else ""))
        self.stdout.write(f"{len(rows) / elapsed:.0f} rows/s ({elapsed:.1f} s)")
        if stats:
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            self.stdout.write(f"peak Python memory {peak / 1024 / 1024:.0f} MB")
