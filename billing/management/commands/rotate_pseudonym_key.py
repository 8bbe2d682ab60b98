"""Re-key every patient pseudonym: new = HMAC(new key, old pseudonym) (see billing/pseudonym.py)."""
from django.core.management.base import BaseCommand, CommandError

from billing import services


class Command(BaseCommand):
    help = "Rotate the pseudonym key: re-hash every stored pseudonym under the new key (HMAC chain)."

    def add_arguments(self, parser):
        parser.add_argument("--old", required=True)
        parser.add_argument("--new", required=True)

    def handle(self, *args, old, new, **options):
        try:
            count = services.pseudonym_key_rotate(old=old, new=new)
        except services.BillingError as exc:
            raise CommandError(str(exc))
        self.stdout.write(f"{count} pseudonyms re-keyed.")
        self.stdout.write("Now set PSEUDONYM_KEY to the new key and append the old key to PSEUDONYM_PREVIOUS_KEYS "
                          "(comma-separated, oldest first).")
