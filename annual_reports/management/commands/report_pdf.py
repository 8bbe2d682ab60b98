"""Write a network's annual report as PDF: manage.py report_pdf --network RSN --year 2024 [--language nl] --output F"""
from django.core.management.base import BaseCommand, CommandError

from annual_reports import pdf
from annual_reports.models import AnnualReport


class Command(BaseCommand):
    help = "Render a network's annual report to a PDF file (French by default)."

    def add_arguments(self, parser):
        parser.add_argument("--network", required=True, help="network code, e.g. RSN")
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--language", default="fr", choices=["fr", "nl"])
        parser.add_argument("--output", required=True)

    def handle(self, *args, network, year, language, output, **options):
        report = (AnnualReport.objects.select_related("network", "template")
                  .filter(network__code__iexact=network, year=year).first())
        if report is None:
            raise CommandError(f"no {year} report for network {network}")
        data = pdf.render(report, language)
        with open(output, "wb") as fh:
            fh.write(data)
        self.stdout.write(f"{output}: {len(data)} bytes ({report.network.code} {year}, {language})")
