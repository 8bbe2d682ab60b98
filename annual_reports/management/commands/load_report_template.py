"""Load or update a year's report template from its YAML file (idempotent)."""
import hashlib

import yaml
from django.core.management.base import BaseCommand, CommandError

from annual_reports import services


class Command(BaseCommand):
    help = "Load a year's annual-report template (YAML, French and Dutch). Running it twice changes nothing."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        try:
            with open(file, "rb") as fh:
                raw = fh.read()
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc}") from exc
        try:
            definition = yaml.safe_load(raw)
        except yaml.YAMLError as exc:
            raise CommandError(f"{file} is not valid YAML: {exc}") from exc
        if not isinstance(definition, dict):
            raise CommandError(f"{file} does not hold a template")
        try:
            template, outcome = services.template_load(definition=definition,
                                                       source_sha256=hashlib.sha256(raw).hexdigest())
        except services.TemplateRefused as exc:
            raise CommandError("template refused:\n" + "\n".join(exc.errors)) from exc
        structure = template.structure
        self.stdout.write(f"{outcome}: template {template.year} version {template.version} "
                          f"({len(structure.chapters)} chapters, {len(structure.questions)} questions)")
