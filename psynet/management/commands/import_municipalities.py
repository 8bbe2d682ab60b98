from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from psynet.services import ImportRefused, municipalities_import, postal_codes_import

DATA_DIR = Path(__file__).resolve().parents[2] / "data"


class Command(BaseCommand):
    help = ("Import municipalities from a Statbel-format CSV (nis_code,name_fr,name_nl,...,population), and "
            "optionally postal codes (postal_code,locality,nis_code). A bad file is refused whole, with the "
            "line numbers and reasons.")

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default=str(DATA_DIR / "municipalities_be_2020.csv"))
        parser.add_argument("--postal-codes", default=None,
                            help="postal-code CSV; the shipped Namur file when the default municipalities are used")

    def handle(self, *args, file, postal_codes, **options):
        postal_codes = postal_codes or (str(DATA_DIR / "postal_codes_namur.csv")
                                        if file == str(DATA_DIR / "municipalities_be_2020.csv") else None)
        try:
            result = municipalities_import(data=Path(file).read_bytes())
            self.stdout.write(f"municipalities: {result.created} created, {result.updated} updated")
            if postal_codes:
                result = postal_codes_import(data=Path(postal_codes).read_bytes())
                self.stdout.write(f"postal codes: {result.created} created, {result.updated} updated")
        except FileNotFoundError as exc:
            raise CommandError(f"file not found: {exc.filename}") from exc
        except ImportRefused as exc:
            raise CommandError("the file was refused, nothing was imported:\n" + "\n".join(exc.errors)) from exc
