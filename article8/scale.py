"""National-scale article 8 data for the benchmarks: 10,000 missions and 50,000 activities over the generated
networks, budgets, offers and contact hours, with bulk_create (the networks are replaced on each run, and
their article 8 rows go with them by cascade)."""
import datetime as dt
from decimal import Decimal

from django.utils import timezone

from psynet.models import Convention, OrganisationKind, Zone

from .demo import OFFERS
from .models import (
    Activity, Article8Settings, Budget, ContactHour, Mission, MissionStatus, MissionType, Offer,
)

MISSIONS = 10_000
ACTIVITIES = 50_000
KINDS = [OrganisationKind.GP_PRACTICE, OrganisationKind.SCHOOL, OrganisationKind.CPMS, OrganisationKind.YOUTH_AID,
         OrganisationKind.OVERKOPHUIS, OrganisationKind.MEDICAL_HOUSE, OrganisationKind.LOCAL_SERVICE_CENTRE,
         OrganisationKind.ONE, OrganisationKind.STUDENT_SERVICE]
STATUSES = ([MissionStatus.RECEIVED] * 1 + [MissionStatus.UNDER_REVIEW] * 1 + [MissionStatus.REFUSED] * 1
            + [MissionStatus.APPROVED] * 2 + [MissionStatus.PLANNED] * 3 + [MissionStatus.DELIVERED] * 3
            + [MissionStatus.CLOSED] * 2)


def build_scale(*, networks, rng, stdout=None, missions=MISSIONS, activities=ACTIVITIES):
    today = timezone.localdate()
    year = today.year
    ids = [n.pk for n in networks]
    zones = {}
    for zone in Zone.objects.filter(network__in=ids).only("pk", "network_id"):
        zones.setdefault(zone.network_id, []).append(zone.pk)
    psychologists = {}
    for network_id, psychologist_id in Convention.objects.filter(network__in=ids, article8_hours_per_year__gt=0) \
            .values_list("network_id", "psychologist_id"):
        psychologists.setdefault(network_id, []).append(psychologist_id)
    Article8Settings.objects.bulk_create([Article8Settings(network=n) for n in networks], ignore_conflicts=True)
    Budget.objects.bulk_create([Budget(network=n, year=year, amount=Decimal(rng.randrange(400, 1200) * 100),
                                       hourly_amount=Decimal("80.00"), effective_from=dt.date(year, 1, 1))
                                for n in networks])
    Offer.objects.bulk_create([Offer(network=n, mission_type=t, place_kinds=k, description_fr=fr, description_nl=nl)
                               for n in networks for t, k, fr, nl in OFFERS])
    ContactHour.objects.bulk_create([
        ContactHour(network=n, psychologist_id=rng.choice(psychologists[n.pk]), weekday=d, starts_at=dt.time(12),
                    ends_at=dt.time(13, 30), mode="phone", phone=f"0800 {n.pk:03d} {d:02d}")
        for n in networks if psychologists.get(n.pk) for d in (0, 2)])
    rows = []
    last_month = max(1, today.month)
    for i in range(missions):
        network = networks[i % len(networks)]
        status = rng.choice(STATUSES)
        start = dt.date(year, rng.randint(1, last_month), 1)
        mission = Mission(network=network, place_name=f"Lieu {i:05d}", place_kind=rng.choice(KINDS),
                          zone_id=rng.choice(zones.get(network.pk, [None])), mission_type=rng.choice(MissionType.values),
                          description="Demande générée", year=year, status=status,
                          created_at=timezone.make_aware(dt.datetime.combine(start, dt.time(9))))
        if status not in (MissionStatus.RECEIVED, MissionStatus.UNDER_REVIEW, MissionStatus.REFUSED) \
                and psychologists.get(network.pk):
            mission.psychologist_id = rng.choice(psychologists[network.pk])
            mission.hours_approved = Decimal(rng.choice([4, 6, 8, 10, 12, 16]))
            mission.start_on, mission.end_on = start, dt.date(year, 12, 31)
        elif status not in (MissionStatus.RECEIVED, MissionStatus.UNDER_REVIEW, MissionStatus.REFUSED):
            mission.status = MissionStatus.UNDER_REVIEW
        rows.append(mission)
    Mission.objects.bulk_create(rows, batch_size=2000)
    active = [m for m in rows if m.status in (MissionStatus.PLANNED, MissionStatus.DELIVERED, MissionStatus.CLOSED)]
    delivered = {}
    batch = []
    for _ in range(activities):
        m = rng.choice(active)
        span = max(0, (min(today, m.end_on) - m.start_on).days)
        hours = Decimal(rng.choice(["0.5", "1", "1.5", "2", "3"]))
        batch.append(Activity(mission_id=m.pk, network_id=m.network_id, psychologist_id=m.psychologist_id,
                              date=m.start_on + dt.timedelta(days=rng.randint(0, span)), hours=hours,
                              mission_type=m.mission_type, place_name=m.place_name, place_kind=m.place_kind,
                              is_remote=rng.random() < 0.3, participants=rng.randint(1, 15), theme="Thème"))
        delivered[m.pk] = delivered.get(m.pk, Decimal("0")) + hours
    Activity.objects.bulk_create(batch, batch_size=5000)
    for m in active:
        m.hours_delivered = delivered.get(m.pk, Decimal("0"))
    Mission.objects.bulk_update(active, ["hours_delivered"], batch_size=2000)
    if stdout:
        stdout.write(f"article8: {len(rows)} missions, {len(batch)} activities")
