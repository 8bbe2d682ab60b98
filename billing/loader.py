"""Load the rule tables (billing/data/*.csv, domain-facts §9) into the database. Idempotent: each row is matched on
its natural key and updated, so running it twice changes nothing; rows edited in the admin are overwritten only
when the CSV is loaded again."""
import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from .models import BillingParameter, CopayRule, FeeRule, QuotaRule

DATA_DIR = Path(__file__).resolve().parent / "data"


def _date(value):
    return date.fromisoformat(value) if value else None


def _dec(value):
    return Decimal(value) if value not in ("", None) else None


def _int(value):
    return int(value) if value not in ("", None) else None


def _rows(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@transaction.atomic
def load_rules(directory=None):
    directory = Path(directory or DATA_DIR)
    counts = {}
    for row in _rows(directory / "fee_schedule.csv"):
        FeeRule.objects.update_or_create(
            code=row["code"], model=row["model"], valid_from=_date(row["effective_from"]),
            defaults=dict(label_fr=row["label_fr"], label_nl=row["label_nl"], unit=row["unit"],
                          amount_eur=_dec(row["amount_eur"]), valid_to=_date(row["effective_to"]),
                          status=row["status"], source=row["source"]))
        counts["fee"] = counts.get("fee", 0) + 1
    for position, row in enumerate(_rows(directory / "copay.csv"), start=1):
        CopayRule.objects.update_or_create(
            code=row["rule"], valid_from=_date(row["effective_from"]),
            defaults=dict(position=position * 10, format=row["format"], bim=row["bim"],
                          age_max=_int(row["age_max"]), first_session=row["first_session"],
                          amount_eur=_dec(row["amount_eur"]), valid_to=_date(row["effective_to"]),
                          status=row["status"], source=row["source"]))
        counts["copay"] = counts.get("copay", 0) + 1
    for row in _rows(directory / "quota.csv"):
        QuotaRule.objects.update_or_create(
            model=row["model"], band=row["band"], function=row["function"], format=row["format"],
            valid_from=_date(row["effective_from"]),
            defaults=dict(max_sessions=_int(row["max_sessions"]), network_average=_int(row["network_average"]),
                          assessment_after=_int(row.get("assessment_after")),
                          period=row["period"], valid_to=_date(row["effective_to"]), status=row["status"],
                          source=row["source"]))
        counts["quota"] = counts.get("quota", 0) + 1
    parameters = directory / "parameters.csv"
    if parameters.exists():
        for row in _rows(parameters):
            BillingParameter.objects.update_or_create(
                code=row["code"], valid_from=_date(row["effective_from"]),
                defaults=dict(label=row["label"], value=row["value"], valid_to=_date(row["effective_to"]),
                              status=row["status"], source=row["source"]))
            counts["parameter"] = counts.get("parameter", 0) + 1
    return counts
