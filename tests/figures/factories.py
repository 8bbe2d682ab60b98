"""A small fixed year (2024) of network A, whose figures are computed by hand in test_selectors.py."""
import datetime as dt
import uuid
from decimal import Decimal

from django.utils import timezone

from psynet.models import Psychologist
from tests.factories import MunicipalityFactory, OrganisationFactory, PsychologistFactory

TZ = timezone.get_current_timezone()


def at(year, month, day, hour=10):
    return timezone.make_aware(dt.datetime(year, month, day, hour), TZ)


def build_fixed_year(network, zone_a, zone_a2, coordinator, psychologist=None):
    from article8.models import Activity, ContactHour, Mission
    from billing.models import CareSession, CopayRule, FeeRule, GroupSession, Patient
    from figures.models import InformationMoment, OperatingCost
    from partnerships.models import Agreement, CollaborationRequest

    psychologist = psychologist or PsychologistFactory()
    # population: zone A = 10,000 + 5,000; zone A2 = 5,000 (shared) + 20,000; network = 35,000
    m1 = MunicipalityFactory(population=10000)
    m2 = MunicipalityFactory(population=5000)
    m3 = MunicipalityFactory(population=20000)
    zone_a.municipalities.set([m1, m2])
    zone_a2.municipalities.set([m2, m3])
    school = OrganisationFactory(network=network, kind="school")
    prison = OrganisationFactory(network=network, kind="prison")

    # ---- billing
    copay = CopayRule.objects.create(position=1, code="T", format="any", bim="any", first_session="any",
                                     amount_eur=Decimal("11"), status="assumed")
    fee = FeeRule.objects.create(code="T", label_fr="t", label_nl="t", model="2024", unit="session",
                                 amount_eur=Decimal("80"), status="assumed")
    p1, p2, p3 = (Patient.objects.create(pseudonym=f"fixed{i}", birth_date=dt.date(1990, 1, 1)) for i in range(3))

    def session(patient, day, zone, band, function, setting, fee_eur, lump="0", place=None, group=None,
                fmt="individual", eating_disorder_path=False):
        return CareSession.objects.create(
            network=network, psychologist=psychologist, patient=patient, date=day, model="2024", function=function,
            format=fmt, setting=setting, place=place, zone=zone, group=group, band=band, age=30, copay_rule=copay,
            copay_eur=Decimal("11"), fee_rule=fee, fee_eur=Decimal(fee_eur), lump_sum_eur=Decimal(lump),
            eating_disorder_path=eating_disorder_path)

    # eating-disorder care path: p1 on 2023-12-31 (outside the year) and 2024-02-01, and the group of 2024-06-01
    # (p2, p3) co-facilitated by a second psychologist
    session(p1, dt.date(2023, 12, 31), zone_a, "adult_15_plus", "F3", "practice", "80",
            eating_disorder_path=True)  # outside the year
    session(p1, dt.date(2024, 2, 1), zone_a, "adult_15_plus", "F3", "practice", "80", eating_disorder_path=True)
    session(p1, dt.date(2024, 3, 1), zone_a, "adult_15_plus", "F3", "outreach", "80", place=school)
    session(p2, dt.date(2024, 4, 1), zone_a2, "youth_0_23", "F2", "video", "60", lump="25")
    session(p3, dt.date(2024, 5, 1), zone_a, "adult_15_plus", "F3", "outreach", "80", place=prison)
    group = GroupSession.objects.create(network=network, psychologist=psychologist, date=dt.date(2024, 6, 1),
                                        model="2024", function="F2", setting="outreach", place=school,
                                        duration_minutes=120, fee_rule=fee, fee_eur=Decimal("326"),
                                        co_psychologist=PsychologistFactory(), eating_disorder_path=True)
    session(p2, dt.date(2024, 6, 1), zone_a2, "youth_0_23", "F2", "outreach", "0", place=school, group=group,
            fmt="group", eating_disorder_path=True)
    session(p3, dt.date(2024, 6, 1), zone_a, "adult_15_plus", "F2", "outreach", "0", place=school, group=group,
            fmt="group", eating_disorder_path=True)
    GroupSession.objects.create(network=network, psychologist=psychologist, date=dt.date(2024, 7, 1), model="2024",
                                function="F1", setting="practice", duration_minutes=120, fee_rule=fee,
                                fee_eur=Decimal("326"), head_count=12)

    # ---- partnerships
    def request(received, place_type, zones, due, contacted=None, status="received", outcome=""):
        r = CollaborationRequest.objects.create(
            network=network, submission=uuid.uuid4(), organisation_name="Lieu", place_type=place_type,
            contact_name="A", contact_email="a@example.org", needs="…", consent_at=received, received_at=received,
            due_on=due, contacted_at=contacted, status=status, outcome=outcome)
        r.zones.set(zones)
        return r

    request(at(2024, 1, 8), "gp_practice", [zone_a], dt.date(2024, 1, 22), contacted=at(2024, 1, 15),
            status="contacted")
    r2 = request(at(2024, 3, 4), "school", [zone_a], dt.date(2024, 3, 18), contacted=at(2024, 3, 25),
                 status="closed", outcome="completed")
    request(at(2024, 11, 4), "school", [zone_a2], dt.date(2024, 11, 19))  # never contacted: overdue
    request(at(2023, 6, 1), "school", [zone_a], dt.date(2023, 6, 15))  # outside the year
    terms = {"network": network, "partner_name": "École", "partner_signatory_name": "A",
             "partner_signatory_email": "a@example.org", "psychologist": psychologist,
             "network_signatory": coordinator, "hours_per_period": 2, "total_hours": 80}
    Agreement.objects.create(request=r2, status="active", starts_on=dt.date(2024, 1, 1), ends_on=dt.date(2024, 12, 31),
                             modalities=["group", "individual"], **terms)
    Agreement.objects.create(status="draft", starts_on=dt.date(2024, 1, 1), ends_on=dt.date(2024, 12, 31), **terms)
    Agreement.objects.create(status="ended", starts_on=dt.date(2023, 1, 1), ends_on=dt.date(2023, 12, 31), **terms)

    # ---- article 8
    def mission(kind, mtype, status, approved="0", delivered="0"):
        return Mission.objects.create(network=network, place_name="Lieu", place_kind=kind, mission_type=mtype,
                                      status=status, psychologist=psychologist, hours_approved=Decimal(approved),
                                      hours_delivered=Decimal(delivered), year=2024, start_on=dt.date(2024, 2, 1))

    m_gp = mission("gp_practice", "co_consultation", "approved", approved="10")
    m_school = mission("school", "knowledge_sharing", "closed", delivered="4")
    mission("youth_aid", "advice", "refused")
    for m, hours, participants in ((m_gp, "2", 3), (m_school, "4", 15)):
        Activity.objects.create(mission=m, network=network, psychologist=psychologist, date=dt.date(2024, 3, 5),
                                hours=Decimal(hours), mission_type=m.mission_type, place_name="Lieu",
                                place_kind=m.place_kind, participants=participants, theme="t")
    ContactHour.objects.create(network=network, psychologist=psychologist, weekday=1, starts_at=dt.time(12, 0),
                               ends_at=dt.time(13, 30), mode="phone")

    # ---- information moments and operating costs
    InformationMoment.objects.create(network=network, date=dt.date(2024, 2, 6), place="Cercle", audience_type="gp_circle",
                                     participants=30, topic="Offre", cost=Decimal("100"))
    InformationMoment.objects.create(network=network, date=dt.date(2024, 9, 6), place="GLEM", audience_type="glem_lok",
                                     participants=10, topic="Offre", cost=Decimal("0"))
    InformationMoment.objects.create(network=network, date=dt.date(2023, 9, 6), place="GLEM", audience_type="glem_lok",
                                     participants=10, topic="Offre", cost=Decimal("50"))
    OperatingCost.objects.create(network=network, year=2024, date=dt.date(2024, 3, 1), amount=Decimal("100"),
                                 purpose="Salle")
    OperatingCost.objects.create(network=network, year=2024, date=dt.date(2024, 9, 1), amount=Decimal("250.50"),
                                 purpose="Dépliants")
    OperatingCost.objects.create(network=network, year=2023, date=dt.date(2023, 9, 1), amount=Decimal("999"),
                                 purpose="Autre année")
    return {"psychologist": psychologist, "school": school, "prison": prison}


__all__ = ["build_fixed_year", "at", "Psychologist"]
