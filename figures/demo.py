"""Demo data of the year in figures (seed_demo, order 60, after the reports, partnerships, article 8 and billing):
information moments and operating cost claims of 2024 for RSN and RSK, RSN's 2024 report with its figures
inserted in three chapters and frozen, and the deployment-wide viewer federal@psynam.example. Idempotent."""
import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone, translation

from psynet.models import Network, Organisation, OrganisationKind, Psychologist, User

from . import selectors, services, tables
from .models import AudienceType, FiguresSnapshot, InformationMoment, OperatingCost

FEDERAL_EMAIL = "federal@psynam.example"
# The three chapters of RSN's 2024 report that show inserted figures: beneficiaries (3), article 8 (5), finance (6).
DEMO_QUESTIONS = ["target_beneficiaries_b", "services_article8_b", "finance_billing_a"]

MOMENTS = [
    # (month, day, audience, place kind or None, place, participants, topic, cost)
    (2, 6, AudienceType.GP_CIRCLE, OrganisationKind.GP_PRACTICE, "Cercle des médecins généralistes", 34,
     "L'offre de soutien article 8 pour les médecins généralistes", "180.00"),
    (3, 19, AudienceType.GLEM_LOK, OrganisationKind.GP_PRACTICE, "GLEM de la Haute-Meuse", 12,
     "Co-consultation : exemples de collaboration réussie", "95.50"),
    (5, 14, AudienceType.TEAM_MEETING, OrganisationKind.SCHOOL, "Salle des professeurs", 21,
     "Repérer le mal-être des élèves et passer le relais", "0.00"),
    (10, 8, AudienceType.EVENING_MEETING, OrganisationKind.YOUTH_AID, "Locaux de l'AMO", 18,
     "Rencontre en soirée avec les psychologues conventionnés", "240.00"),
]


def _moments(network, coordinator, local):
    if InformationMoment.objects.filter(network=network, date__year=2024).exists():
        return list(InformationMoment.objects.filter(network=network, date__year=2024))
    zones = list(network.zones.order_by("name"))
    psychologists = list(Psychologist.objects.filter(conventions__network=network).distinct()[:3])
    made = []
    for i, (month, day, audience, kind, place, participants, topic, cost) in enumerate(MOMENTS):
        organisation = Organisation.objects.filter(network=network, kind=kind).first()
        by = coordinator if i % 2 == 0 or local is None else local
        zone = zones[i % len(zones)] if zones and by == local else None
        if by == local and local is not None:
            membership = local.memberships.filter(network=network).first()
            own = list(membership.zones.all()) if membership else []
            zone = own[0] if own else None
            if zone is None:
                by = coordinator
        moment = services.moment_save(network=network, by=by, data={
            "date": dt.date(2024, month, day), "place": organisation.name if organisation else place,
            "organisation": organisation, "zone": zone, "audience_type": audience, "participants": participants,
            "topic": topic, "cost": Decimal(cost), "other_speakers": "",
            "coordinators": [u for u in (coordinator,) if u], "psychologists": psychologists[i % 2: i % 2 + 2]})
        made.append(moment)
    return made


def _costs(network, admin, moments):
    if admin is None or OperatingCost.objects.filter(network=network, year=2024).exists():
        return
    paid = [m for m in moments if m.cost]
    services.cost_save(network=network, by=admin, data={
        "year": 2024, "date": dt.date(2024, 6, 28), "amount": sum((m.cost for m in paid), Decimal(0)),
        "purpose": "Moments d'information pour les lieux d'accroche (salles, collations)",
        "information_moments": paid})
    services.cost_save(network=network, by=admin, data={
        "year": 2024, "date": dt.date(2024, 11, 15), "amount": Decimal("1250.00"),
        "purpose": "Impression des dépliants de l'offre et de la carte des lieux d'accroche",
        "information_moments": []})


def _shift(value, days):
    return value - dt.timedelta(days=days) if value else value


@transaction.atomic
def _mirror_year(network, year=2024):
    """The other demo builders make the last twelve months (relative to today); RSN's report is for 2024. For the
    demo only, their rows of RSN are mirrored whole weeks back so that they cover ``year`` (weekdays and the
    one-session-per-patient-per-day rule kept). Skipped when the network already has sessions in that year."""
    from article8.models import Mission
    from billing.models import CareSession, GroupSession
    from partnerships.choices import Outcome, Status as RequestStatus
    from partnerships.models import CollaborationRequest

    if CareSession.objects.filter(network=network, date__year=year).exists():
        return False
    last = CareSession.objects.filter(network=network).order_by("-date").values_list("date", flat=True).first()
    if last is None or last.year <= year:
        return False
    days = ((last - dt.date(year, 12, 31)).days // 7 + 1) * 7
    groups = {}
    for g in GroupSession.objects.filter(network=network):
        old = g.pk
        g.pk, g.import_key, g.date = None, None, _shift(g.date, days)
        g.save()
        groups[old] = g.pk
    clones = []
    for s in CareSession.objects.filter(network=network, date__gt=_shift(last, 364)):
        s.pk, s.import_key, s.date = None, None, _shift(s.date, days)
        s.group_id = groups.get(s.group_id) if s.group_id else None
        clones.append(s)
    CareSession.objects.bulk_create(clones, batch_size=1000)
    from article8.models import Budget

    latest = Budget.objects.filter(network=network, year__gt=year).order_by("-year").values_list("year", flat=True)
    for budget in Budget.objects.filter(network=network, year=latest.first() or 0):  # the year's budget too
        Budget.objects.get_or_create(network=network, year=year, effective_from=budget.effective_from.replace(
            year=year), defaults={"amount": budget.amount, "hourly_amount": budget.hourly_amount,
                                  "note": budget.note})
    for m in Mission.objects.filter(network=network, year__gt=year).prefetch_related("activities"):
        activities = list(m.activities.all())
        m.pk, m.year, m.source_reference = None, year, ""
        m.start_on, m.end_on, m.created_at = _shift(m.start_on, days), _shift(m.end_on, days), _shift(m.created_at, days)
        if m.start_on and m.start_on.year != year:
            m.start_on = dt.date(year, 1, 2)
        if m.end_on and m.start_on and m.end_on < m.start_on:
            m.end_on = m.start_on
        m.save()
        for a in activities:
            a.pk, a.mission, a.date = None, m, _shift(a.date, days)
            a.save()
    for r in CollaborationRequest.objects.filter(network=network, received_at__year__gt=year):
        zones = list(r.zones.all())
        original = r.pk
        r.pk, r.access_token_hash, r.access_token_expires_at = None, None, None
        for name in ("received_at", "due_on", "acknowledged_at", "assigned_at", "contacted_at", "needs_analysed_at",
                     "closed_at", "status_changed_at", "consent_at"):
            setattr(r, name, _shift(getattr(r, name), days))
        if r.received_at.year != year:
            continue
        if r.status != RequestStatus.CLOSED:
            # Long handled by now: contacted two days after it came in, closed six weeks later with an agreement
            # or a referral (the coordinators' lists of today are not filled with requests of two years ago).
            r.assigned_at = r.assigned_at or r.received_at
            r.contacted_at = r.contacted_at if r.contacted_at and r.contacted_at.date() <= r.due_on \
                else r.received_at + dt.timedelta(days=2)
            r.status, r.outcome = RequestStatus.CLOSED, Outcome.COMPLETED
            r.closed_at = r.status_changed_at = r.received_at + dt.timedelta(days=42)
        r.save()
        r.zones.set(zones)
        _mirror_agreements(original, r, days, year)
    return True


def _mirror_agreements(original_request_id, request, days, year):
    """The signed agreements of a mirrored request, copied with their signed text and signatures, dated the same
    weeks back, and ended at the close of ``year``: in force that year, not in today's lists."""
    from partnerships.choices import AgreementStatus
    from partnerships.models import Agreement

    signed = [AgreementStatus.SIGNED, AgreementStatus.ACTIVE, AgreementStatus.ENDED]
    for agreement in Agreement.objects.filter(request_id=original_request_id, status__in=signed).prefetch_related(
            "versions__signatures"):
        versions = list(agreement.versions.all())
        agreement.pk, agreement.request = None, request
        agreement.partner_token_hash = agreement.partner_token_expires_at = None
        for name in ("starts_on", "ends_on", "sent_at", "signed_at", "activated_at", "created_at"):
            setattr(agreement, name, _shift(getattr(agreement, name), days))
        if agreement.starts_on.year != year:
            continue
        agreement.ends_on = max(agreement.starts_on, min(agreement.ends_on, dt.date(year, 12, 31)))
        agreement.status = AgreementStatus.ENDED
        agreement.ended_at = timezone.make_aware(dt.datetime.combine(agreement.ends_on, dt.time(17, 0)))
        agreement.save()
        for version in versions:
            signatures = list(version.signatures.all())
            version.pk, version.agreement = None, agreement
            version.created_at, version.sent_at = _shift(version.created_at, days), _shift(version.sent_at, days)
            version.save()
            for signature in signatures:
                signature.pk, signature.version = None, version
                signature.signed_at = _shift(signature.signed_at, days)
                signature.save()


@transaction.atomic
def _insert_into_frozen_demo_report(report, by):
    """Demo only: the report was validated by the annual report demo before the other parts had data, so the
    figures are written in as the coordinator would have inserted them before submitting, then frozen."""
    from annual_reports.models import Answer, AnswerRevision

    figures = selectors.network_year_figures(report.network, report.year)
    structure = report.template.structure
    now = timezone.now()
    for code in DEMO_QUESTIONS:
        question = structure.questions.get(code)
        if question is None:
            continue
        text = tables.markdown(tables.tables_for_question(question, figures))
        answer, _created = Answer.objects.get_or_create(report=report, question_code=code)
        if "**" in (answer.value or "") and "|" in (answer.value or ""):
            continue
        answer.value = f"{(answer.value or '').rstrip()}\n\n{text}".strip()
        answer.version += 1
        answer.updated_by, answer.updated_at = by, now
        answer.save()
        AnswerRevision.objects.create(answer=answer, version=answer.version, value=answer.value, by=by, at=now)
    if not FiguresSnapshot.objects.filter(report=report).exists():
        snapshot = services.snapshot_take(report=report, by=by)
        if report.validated_at:  # frozen with the validation, as it would have been
            FiguresSnapshot.objects.filter(pk=snapshot.pk).update(taken_at=report.validated_at)


def build(stdout=None):
    from psynet.management.commands.seed_demo import PASSWORD

    viewer, created = User.objects.get_or_create(
        email=FEDERAL_EMAIL, defaults={"first_name": "Comité", "last_name": "de suivi", "is_federal_viewer": True})
    if created or not viewer.check_password(PASSWORD) or not viewer.is_federal_viewer:
        viewer.is_federal_viewer = True
        viewer.set_password(PASSWORD)
        viewer.save()
    for code in ("RSN", "RSK"):
        network = Network.objects.filter(code=code).first()
        if network is None:
            continue
        net = code.lower()
        users = {u.email: u for u in User.objects.filter(email__in=[
            f"coordinator@{net}.example", f"local@{net}.example", f"admin@{net}.example"])}
        coordinator = users.get(f"coordinator@{net}.example")
        if coordinator is None:
            continue
        moments = _moments(network, coordinator, users.get(f"local@{net}.example"))
        _costs(network, users.get(f"admin@{net}.example"), moments)
    from annual_reports.models import AnnualReport

    report = AnnualReport.objects.filter(network__code="RSN", year=2024).select_related("network", "template").first()
    if report is not None and not FiguresSnapshot.objects.filter(report=report).exists():
        _mirror_year(report.network, 2024)
        coordinator = User.objects.filter(email="coordinator@rsn.example").first()
        language = (report.network.languages or "fr").split(",")[0].strip() or "fr"
        if report.is_frozen:
            with translation.override(language):
                _insert_into_frozen_demo_report(report, coordinator)
        elif coordinator is not None:
            for code in DEMO_QUESTIONS:
                answer = report.answers.filter(question_code=code).first()
                try:
                    services.figures_insert(report=report, question_code=code, by=coordinator,
                                            expected_version=answer.version if answer else 0)
                except services.FiguresError:
                    pass
    if stdout:
        stdout.write(f"figures: information moments, operating costs, RSN 2024 figures; viewer {FEDERAL_EMAIL}")
