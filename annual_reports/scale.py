"""National-scale annual reports (``manage.py generate_scale_data``): every generated network gets its reports for
2022, 2023 and 2024 with an answer of about 250 words on every question (tables: three rows), as the issue's
figures require. 2022 and 2023 are archived, 2024 is a draft being written (the autosave benchmark edits it).

All three years use the 2024 template (loaded first if missing): earlier INAMI templates are not in the
repository, and inventing them would add reminder deadlines and "open a report" years that do not exist."""
import hashlib
import time

import yaml
from django.db import transaction
from django.utils import timezone

from .models import AnnualReport, Answer, AnswerRevision, ReportTemplate, Status

YEARS = (2022, 2023, 2024)
WORDS_PER_ANSWER = 250
VOCABULARY = (
    "le réseau a organisé des concertations avec les psychologues conventionnés et les médecins généralistes "
    "afin de renforcer l'accès aux soins psychologiques de première ligne pour les adultes et les jeunes "
    "des communes rurales et urbaines la coordination locale suit les indicateurs trimestriels les écoles "
    "les CPMS les maisons médicales et les CPAS ont relayé l'offre auprès des publics vulnérables les séances "
    "de groupe ont été proposées dans des lieux d'accroche le comité de réseau a validé le plan d'action "
    "annuel et la communication vers le grand public une attention particulière a été portée aux délais "
    "d'attente à la facturation via l'hôpital percepteur et à la formation continue des prestataires"
).split()


def _text(rng, words=WORDS_PER_ANSWER):
    """About ``words`` words in three paragraphs and a short list, like a real long answer."""
    chosen = [rng.choice(VOCABULARY) for _ in range(words)]
    sentences, i = [], 0
    while i < len(chosen):
        n = rng.randint(12, 22)
        sentence = " ".join(chosen[i:i + n])
        sentences.append(sentence[:1].upper() + sentence[1:] + ".")
        i += n
    third = max(1, len(sentences) // 3)
    paragraphs = [" ".join(sentences[:third]), " ".join(sentences[third:2 * third]),
                  "\n".join(f"- {s}" for s in sentences[2 * third:])]
    return "\n\n".join(paragraphs)


def _value(question, rng):
    if question.kind == "table":
        per_cell = max(5, WORDS_PER_ANSWER // (3 * max(1, len(question.columns))))
        return [{c["code"]: _text(rng, per_cell) for c in question.columns} for _row in range(3)]
    if question.kind == "number":
        return rng.randint(10, 5000)
    if question.kind == "attachments":
        return []
    if question.kind == "short_text":
        return _text(rng, 12).replace("\n", " ")[:500]
    return _text(rng)


def template_2024():
    template = ReportTemplate.objects.filter(year=2024).order_by("-version").first()
    if template is None:
        from pathlib import Path

        from . import services

        raw = (Path(__file__).resolve().parent / "report_templates" / "2024.yaml").read_bytes()
        template, _outcome = services.template_load(definition=yaml.safe_load(raw),
                                                    source_sha256=hashlib.sha256(raw).hexdigest())
    return template


def build(*, networks, rng, stdout=None):
    """Reports of the generated networks (they were just recreated: nothing to replace), in bulk."""
    started = time.monotonic()
    template = template_2024()
    questions = list(template.structure.questions.values())
    now = timezone.now()
    with transaction.atomic():
        reports = AnnualReport.objects.bulk_create([
            AnnualReport(network=network, year=year, template=template,
                         status=Status.DRAFT if year == 2024 else Status.ARCHIVED,
                         identification={"network_name": network.name, "generic_email": network.generic_email},
                         committee_date=None if year == 2024 else timezone.datetime(year + 1, 3, 10).date(),
                         sent_on=None if year == 2024 else timezone.datetime(year + 1, 3, 25).date())
            for network in networks for year in YEARS])
        answers = Answer.objects.bulk_create([
            Answer(report=report, question_code=q.code, value=_value(q, rng), version=1, updated_at=now)
            for report in reports for q in questions], batch_size=1000)
        AnswerRevision.objects.bulk_create([
            AnswerRevision(answer=a, version=1, value=a.value, at=now) for a in answers], batch_size=1000)
    if stdout is not None:
        stdout.write(f"annual reports: {len(reports)} reports, {len(answers)} answers of ~{WORDS_PER_ANSWER} words "
                     f"({time.monotonic() - started:.1f} s)")
