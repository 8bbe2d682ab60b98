"""Monthly statement per psychologist (PDF and CSV) for the collecting hospital.

The figures come from the stored sessions (amounts fixed when each session was registered). A hash of the inputs
(every line's id and amounts) is stored: regenerating a month with the same inputs gives the same figures and keeps
the files; a page shows "changed since" when the sessions of the month no longer match the hash.
"""
import csv
import hashlib
import io
import json
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from psynet.audit import log_action

from .models import CareSession, GroupSession, Statement
from .rules import add_months


def month_bounds(month):
    first = month.replace(day=1)
    return first, add_months(first, 1).replace(day=1)


def statement_lines(*, network, psychologist, month):
    first, after = month_bounds(month)
    lines = []
    for s in (CareSession.objects.filter(network=network, psychologist=psychologist, date__gte=first, date__lt=after)
              .select_related("patient").order_by("date", "pk")):
        lines.append({"kind": "session", "id": s.pk, "date": s.date, "patient": str(s.patient),
                      "function": s.function, "format": s.format, "setting": s.setting,
                      "fee": s.fee_eur, "copay": s.copay_eur, "lump_sum": s.lump_sum_eur,
                      "group": s.group_id or ""})
    for g in (GroupSession.objects.filter(network=network, psychologist=psychologist, date__gte=first,
                                          date__lt=after).order_by("date", "pk")):
        lines.append({"kind": "group", "id": g.pk, "date": g.date, "patient": "", "function": g.function,
                      "format": "group", "setting": g.setting, "fee": g.fee_eur, "copay": Decimal("0.00"),
                      "lump_sum": Decimal("0.00"), "group": g.pk, "head_count": g.head_count})
    lines.sort(key=lambda line: (line["date"], line["kind"], line["id"]))
    return lines


def totals_of(lines):
    fees = sum((line["fee"] for line in lines), Decimal("0.00"))
    copays = sum((line["copay"] for line in lines), Decimal("0.00"))
    lumps = sum((line["lump_sum"] for line in lines), Decimal("0.00"))
    return {"sessions": sum(1 for line in lines if line["kind"] == "session"),
            "group_sessions": sum(1 for line in lines if line["kind"] == "group"),
            "fees": str(fees), "copays": str(copays), "lump_sums": str(lumps), "due": str(fees + lumps)}


def inputs_hash(lines):
    payload = [[line["kind"], line["id"], line["date"].isoformat(), str(line["fee"]), str(line["copay"]),
                str(line["lump_sum"])] for line in lines]
    return hashlib.sha256(json.dumps(payload).encode()).hexdigest()


def is_changed(statement):
    lines = statement_lines(network=statement.network, psychologist=statement.psychologist, month=statement.month)
    return inputs_hash(lines) != statement.inputs_hash


def render_csv(lines, totals):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["date", "kind", "patient", "function", "format", "setting", "fee_eur", "copay_eur",
                     "lump_sum_eur", "group"])
    for line in lines:
        writer.writerow([line["date"].isoformat(), line["kind"], line["patient"], line["function"], line["format"],
                         line["setting"], line["fee"], line["copay"], line["lump_sum"], line["group"]])
    writer.writerow([])
    writer.writerow(["total", "", "", "", "", "", totals["fees"], totals["copays"], totals["lump_sums"], ""])
    writer.writerow(["due", "", "", "", "", "", totals["due"], "", "", ""])
    return out.getvalue().encode("utf-8")


def render_pdf(context):
    from weasyprint import HTML  # imported here: slow import, only needed when rendering

    html = render_to_string("billing/pdf/statement.html", context)
    return HTML(string=html).write_pdf()


@transaction.atomic
def statement_generate(*, network, psychologist, month, by=None):
    """Create or refresh the statement of ``month``; files re-rendered only when the inputs changed."""
    month = month.replace(day=1)
    lines = statement_lines(network=network, psychologist=psychologist, month=month)
    digest = inputs_hash(lines)
    totals = totals_of(lines)
    statement = (Statement.objects.select_for_update()
                 .filter(network=network, psychologist=psychologist, month=month).first())
    if statement and statement.inputs_hash == digest and statement.pdf:
        return statement, False
    language = getattr(psychologist.user, "language", None) or translation.get_language() or "fr"
    with translation.override(language):
        context = {"network": network, "psychologist": psychologist, "month": month, "lines": lines,
                   "totals": {k: (Decimal(v) if k not in ("sessions", "group_sessions") else v)
                              for k, v in totals.items()},
                   "generated_at": timezone.now(), "digest": digest}
        pdf = render_pdf(context)
    data = render_csv(lines, totals)
    before = {"inputs_hash": statement.inputs_hash, "totals": statement.totals} if statement else {}
    if statement is None:
        statement = Statement(network=network, psychologist=psychologist, month=month, version=0)
    else:
        statement.pdf.delete(save=False)
        statement.csv.delete(save=False)
    statement.version += 1
    statement.inputs_hash, statement.totals = digest, totals
    statement.generated_at, statement.generated_by = timezone.now(), by
    name = f"{network.code}-{psychologist.inami_number}-{month:%Y-%m}-v{statement.version}"
    statement.pdf.save(f"{name}.pdf", ContentFile(pdf), save=False)
    statement.csv.save(f"{name}.csv", ContentFile(data), save=False)
    statement.save()
    log_action(statement, "billing.statement.generated", by=by, network=network, before=before,
               after={"inputs_hash": digest, "totals": totals, "version": statement.version})
    return statement, True

