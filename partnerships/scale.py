"""National-scale partnership data for the benchmarks (generate_scale_data): 20,000 collaboration requests and
5,000 tripartite agreements over the 32 generated networks, written with bulk_create.

A quarter of the requests go to the first adults network (SCALEA01, the one the benchmarks log into), so its
coordinator's list holds 5,000 of them; the rest are spread over the other networks. Statuses, zones, due dates
and offers are drawn like a busy year's; the agreements have their version, and the signed ones their three
signatures. No e-mail, notification or audit entry is written: this is volume, not history."""
import datetime as dt
import hashlib
import uuid
from collections import defaultdict

from django.db import connection
from django.utils import timezone

from psynet.models import Convention, Membership, Role, Zone

from .choices import AgreementStatus, Offer, Outcome, Status
from .models import Agreement, AgreementVersion, CollaborationRequest, Signature, search_text_of
from .workdays import due_date

REQUESTS = 20_000
AGREEMENTS = 5_000
HOT_SHARE = 0.25
PLACES = ["gp_practice", "medical_house", "school", "cpms", "student_service", "youth_aid", "cpas", "one",
          "local_service_centre", "elderly_care", "prison", "other"]
STATUS_WEIGHTS = [(Status.RECEIVED, 8), (Status.ASSIGNED, 8), (Status.CONTACTED, 10), (Status.NEEDS_ANALYSED, 8),
                  (Status.PSYCHOLOGIST_PROPOSED, 8), (Status.AGREEMENT, 8), (Status.ACTIVE, 20), (Status.CLOSED, 30)]
AGREEMENT_WEIGHTS = [(AgreementStatus.DRAFT, 5), (AgreementStatus.SENT, 15), (AgreementStatus.SIGNED, 5),
                     (AgreementStatus.ACTIVE, 50), (AgreementStatus.ENDED, 20), (AgreementStatus.TERMINATED, 5)]
TEXT = ("ACCORD TRIPARTITE (données générées)\nRéseau, partenaire et psychologue conventionné conviennent des "
        "modalités de la collaboration décrites ci-dessous.\n")


def _weighted(rng, weights):
    total = sum(w for _, w in weights)
    pick = rng.uniform(0, total)
    for value, weight in weights:
        pick -= weight
        if pick <= 0:
            return value
    return weights[-1][0]


def build(*, networks, rng, stdout=None, requests=REQUESTS, agreement_count=AGREEMENTS):
    if not networks:
        return
    now = timezone.now()
    zones = defaultdict(list)
    for zone in Zone.objects.filter(network__in=networks).prefetch_related("municipalities"):
        zones[zone.network_id].append(zone)
    coordinators = defaultdict(list)
    for m in Membership.objects.filter(network__in=networks, role=Role.LOCAL_COORDINATOR):
        coordinators[m.network_id].append(m.user_id)
    signatories = {m.network_id: m.user_id for m in Membership.objects.filter(
        network__in=networks, role=Role.NETWORK_COORDINATOR).order_by("pk")}
    psychologists = defaultdict(list)
    for c in Convention.objects.filter(network__in=networks).values("network_id", "psychologist_id"):
        psychologists[c["network_id"]].append(c["psychologist_id"])
    hot = networks[0] if networks[0].code.startswith("SCALEA") else next(
        (n for n in networks if n.code == "SCALEA01"), networks[0])
    others = [n for n in networks if n.pk != hot.pk]
    rows, zone_links = [], []
    for i in range(requests):
        network = hot if i < requests * HOT_SHARE else others[i % len(others)]
        network_zones = zones[network.pk]
        zone = network_zones[i % len(network_zones)] if network_zones else None
        municipalities = list(zone.municipalities.all()) if zone else []
        received = now - dt.timedelta(days=rng.randint(0, 720), minutes=rng.randint(0, 1440))
        status = _weighted(rng, STATUS_WEIGHTS)
        if i % 97 == 0:
            status = Status.RECEIVED
        assigned = rng.choice(coordinators[network.pk]) if status != Status.RECEIVED and coordinators[network.pk] \
            else None
        closed = status == Status.CLOSED
        rows.append(CollaborationRequest(
            network=network, submission=uuid.UUID(int=rng.getrandbits(128)),
            triage_reason="Commune hors des zones du réseau (données générées)" if i % 211 == 0 else "",
            organisation_name=f"Partenaire généré {i:05d}", place_type=PLACES[i % len(PLACES)],
            municipality=rng.choice(municipalities) if municipalities else None,
            contact_name=f"Contact {i:05d}", contact_email=f"contact{i:05d}@partners.scale.example",
            language="nl" if i % 3 == 0 else "fr", age_groups=[["12_17"], ["24_64"], ["65_plus"], ["3_11"]][i % 4],
            needs="Besoin de soutien psychologique de première ligne pour notre public (données générées).",
            offers=rng.sample([o.value for o in Offer], k=rng.randint(1, 3)), consent_at=received,
            status=status, outcome=rng.choice([Outcome.DECLINED, Outcome.WITHDRAWN, Outcome.COMPLETED]) if closed
            else "", received_at=received, due_on=due_date(timezone.localtime(received).date()),
            acknowledged_at=received, assigned_to_id=assigned, assigned_at=received if assigned else None,
            closed_at=received + dt.timedelta(days=30) if closed else None, status_changed_at=received,
            access_token_hash=hashlib.sha256(f"scale-{i}-{rng.random()}".encode()).hexdigest(),
            access_token_expires_at=received + dt.timedelta(days=365)))
    for row in rows:
        row.search_text = search_text_of(row)
    created = CollaborationRequest.objects.bulk_create(rows, batch_size=2000)
    through = CollaborationRequest.zones.through
    for i, req in enumerate(created):
        network_zones = zones[req.network_id]
        if network_zones and not req.triage_reason:
            zone_links.append(through(collaborationrequest_id=req.pk, zone_id=network_zones[i % len(network_zones)].pk))
    through.objects.bulk_create(zone_links, batch_size=5000)
    _agreements(created, rng, zones, signatories, psychologists, agreement_count, now)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE partnerships_collaborationrequest, partnerships_collaborationrequest_zones, "
                           "partnerships_agreement")
    if stdout:
        stdout.write(f"partnerships: {len(created)} requests ({int(requests * HOT_SHARE)} in {hot.code}), "
                     f"{agreement_count} agreements")


def _agreements(requests, rng, zones, signatories, psychologists, count, now):
    eligible = [r for r in requests if r.network_id in signatories and psychologists[r.network_id]]
    chosen = rng.sample(eligible, min(count, len(eligible)))
    rows = []
    for i, req in enumerate(chosen):
        status = _weighted(rng, AGREEMENT_WEIGHTS)
        start = timezone.localtime(req.received_at).date() + dt.timedelta(days=30)
        if status == AgreementStatus.ENDED:
            start -= dt.timedelta(days=400)
        network_zones = zones[req.network_id]
        rows.append(Agreement(
            network_id=req.network_id, request=req, zone=network_zones[i % len(network_zones)] if network_zones
            else None, status=status, language=req.language, partner_name=req.organisation_name,
            partner_signatory_name=req.contact_name, partner_signatory_email=req.contact_email,
            psychologist_id=rng.choice(psychologists[req.network_id]), network_signatory_id=signatories[req.network_id],
            starts_on=start, ends_on=start + dt.timedelta(days=364), hours_per_period=rng.choice([2, 4, 6, 8]),
            hours_unit="week", total_hours=rng.choice([80, 160, 240]), modalities=["group", "individual"],
            article8_hours={"advice": "10"} if i % 3 == 0 else {}, signing_order=["partner", "psychologist", "network"],
            created_at=req.received_at + dt.timedelta(days=20),
            sent_at=None if status == AgreementStatus.DRAFT else req.received_at + dt.timedelta(days=21),
            signed_at=req.received_at + dt.timedelta(days=25) if status in (
                AgreementStatus.SIGNED, AgreementStatus.ACTIVE, AgreementStatus.ENDED, AgreementStatus.TERMINATED)
            else None))
    created = Agreement.objects.bulk_create(rows, batch_size=2000)
    digest = hashlib.sha256(TEXT.encode()).hexdigest()
    versions = AgreementVersion.objects.bulk_create(
        [AgreementVersion(agreement=a, number=1, text=TEXT, sha256=digest, created_at=a.created_at,
                          sent_at=a.sent_at) for a in created], batch_size=2000)
    signatures = []
    for agreement, version in zip(created, versions, strict=True):
        if agreement.signed_at is None:
            continue
        for j, party in enumerate(["partner", "psychologist", "network"]):
            signatures.append(Signature(version=version, party=party, name=f"Signataire {party}",
                                        method="logged in to the portal" if j else
                                        "private link + one-time code sent by e-mail",
                                        signed_at=agreement.signed_at, ip_address="192.0.2.1", user_agent="scale",
                                        text_sha256=digest))
    Signature.objects.bulk_create(signatures, batch_size=5000)
