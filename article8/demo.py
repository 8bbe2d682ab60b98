"""Demo data: a year of article 8 activity for RSN and RSK (about 20 missions each across types, places and
zones, activities, contact hours, an action plan, budgets with realistic use). Idempotent: the missions carry a
``demo-`` source reference and are made once."""
import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from psynet.models import Network, Organisation, OrganisationKind, Psychologist

from .models import (
    Activity, Article8Settings, Budget, ContactHour, Mission, MissionSource, MissionStatus, MissionType, Offer,
    PlanAction, PlanObjective, PlanStatus, StartupAllocation,
)
from .services import convention_for, zone_for_organisation

OFFERS = [
    (MissionType.PLACE_WORK, [OrganisationKind.SCHOOL, OrganisationKind.CPMS, OrganisationKind.YOUTH_AID,
                              OrganisationKind.MEDICAL_HOUSE],
     "Un·e psychologue vient travailler dans votre structure et coordonne son action avec votre équipe.",
     "Een psycholoog komt in uw organisatie werken en stemt zijn aanpak af met uw team."),
    (MissionType.ADVICE, [],
     "Conseil à un·e professionnel·le de première ligne au sujet d'une ou plusieurs personnes, aussi à distance "
     "pendant nos heures de contact.",
     "Advies aan een eerstelijnsactor over één of meer personen, ook op afstand tijdens onze contacturen."),
    (MissionType.CO_CONSULTATION, [OrganisationKind.GP_PRACTICE, OrganisationKind.MEDICAL_HOUSE,
                                   OrganisationKind.CPMS, OrganisationKind.ONE],
     "Consultation conjointe avec le ou la psychologue, avec ou sans la personne concernée.",
     "Gezamenlijke consultatie met de psycholoog, met of zonder de betrokken persoon."),
    (MissionType.KNOWLEDGE_SHARING, [OrganisationKind.GP_PRACTICE, OrganisationKind.SCHOOL,
                                     OrganisationKind.YOUTH_AID, OrganisationKind.OVERKOPHUIS],
     "Partage de connaissances avec un groupe (GLEM, équipe enseignante, animateurs) : résilience, émotions, "
     "risque suicidaire. Accréditation possible pour les médecins généralistes.",
     "Kennisdeling met een groep (LOK, lerarenteam, jeugdwerkers): veerkracht, emoties, suïciderisico. "
     "Accreditering mogelijk voor huisartsen."),
]
THEMES = ["Anxiété et stress", "Harcèlement scolaire", "Risque suicidaire", "Épuisement", "Régulation des émotions",
          "Assuétudes", "Deuil", "Gestion des conflits", "Dépression chez l'adolescent", "Isolement"]
PLAN = [
    ("Faire connaître l'offre aux lieux d'accroche prioritaires",
     [("Présenter l'offre dans chaque cercle de médecins généralistes", "Coordination locale Ouest", 3,
       PlanStatus.DONE),
      ("Rencontre informelle en soirée avec les AMO", "Coordination locale Est", 5, PlanStatus.DONE),
      ("Publier la page publique sur le site du réseau", "Coordination de réseau", 2, PlanStatus.DONE)]),
    ("Fixer les heures article 8 dans les contrats",
     [("Revoir les conventions des psychologues travaillant déjà en lieu d'accroche", "Coordination de réseau", 6,
       PlanStatus.IN_PROGRESS),
      ("Heure de contact fixe dans deux CPMS", "Coordination locale Ouest", 9, PlanStatus.TODO)]),
    ("Suivre l'utilisation du budget", [("Revue trimestrielle du tableau de bord", "Comité de réseau", 12,
                                          PlanStatus.TODO)]),
]


def build_demo(stdout=None):
    for code in ("RSN", "RSK"):
        network = Network.objects.filter(code=code).first()
        if network is not None:
            with transaction.atomic():
                _network(network, random.Random(code))
    if stdout:
        stdout.write("article8: demo missions, activities, contact hours, action plan and budgets")


def _network(network, rng):
    today = timezone.localdate()
    year = today.year
    Article8Settings.objects.get_or_create(network=network)
    Budget.objects.get_or_create(network=network, year=year, effective_from=dt.date(year, 1, 1), defaults={
        "amount": Decimal("95000") if network.code == "RSN" else Decimal("78000"),
        "hourly_amount": Decimal("80.00"), "note": "Notification INAMI"})
    Budget.objects.get_or_create(network=network, year=year, effective_from=dt.date(year, 7, 1), defaults={
        "amount": Decimal("95000") if network.code == "RSN" else Decimal("78000"),
        "hourly_amount": Decimal("82.50"), "note": "Indexation"})
    if not Offer.objects.filter(network=network).exists():
        for mission_type, kinds, fr, nl in OFFERS:
            Offer.objects.create(network=network, mission_type=mission_type, place_kinds=kinds, description_fr=fr,
                                 description_nl=nl)
    if not PlanObjective.objects.filter(network=network, year=year).exists():
        for i, (title, actions) in enumerate(PLAN):
            objective = PlanObjective.objects.create(network=network, year=year, title=title, position=i)
            for action, owner, month, status in actions:
                PlanAction.objects.create(objective=objective, network=network, title=action, owner=owner,
                                          deadline=dt.date(year, month, 28), status=status)
    places = list(Organisation.objects.filter(network=network).exclude(kind=OrganisationKind.EMPLOYER))
    psychologists = [p for p in Psychologist.objects.filter(conventions__network=network).distinct()
                     .select_related("user").order_by("pk")
                     if (c := convention_for(p, network, year)) and c.article8_hours_per_year > 0]
    if not places or not psychologists:
        return
    demo_user = next((p for p in Psychologist.objects.filter(user__email=f"psychologist@{network.code.lower()}"
                                                                          ".example")), None)
    if demo_user and demo_user not in psychologists:
        convention = convention_for(demo_user, network, year)
        if convention:
            convention.article8_hours_per_year = 60
            convention.save(update_fields=["article8_hours_per_year"])
            psychologists.insert(0, demo_user)
    if not ContactHour.objects.filter(network=network).exists():
        open_door = next((o for o in places if o.kind in (OrganisationKind.CPMS, OrganisationKind.MEDICAL_HOUSE)),
                         places[0])
        ContactHour.objects.create(network=network, psychologist=psychologists[0], weekday=1,
                                   starts_at=dt.time(12, 0), ends_at=dt.time(13, 30), mode="phone",
                                   phone="081 00 08 08", languages="fr", note="Ligne conseil")
        ContactHour.objects.create(network=network, psychologist=psychologists[-1], weekday=3,
                                   starts_at=dt.time(9, 0), ends_at=dt.time(11, 0), mode="open_door",
                                   organisation=open_door, zone=zone_for_organisation(network, open_door),
                                   languages="fr,nl")
    if not StartupAllocation.objects.filter(network=network).exists():
        StartupAllocation.objects.create(network=network, organisation=places[-1], amount_requested=Decimal("4000"),
                                         reason="Local à aménager avant l'ouverture de la permanence",
                                         requested_on=dt.date(year, 3, 2), status="granted",
                                         amount_granted=Decimal("3500"), decided_on=dt.date(year, 3, 20),
                                         payment_status="paid", paid_on=dt.date(year, 4, 15))
    if Mission.objects.filter(network=network, source_reference__startswith="demo-").exists():
        return
    reserved = {p.pk: Decimal("0") for p in psychologists}
    capacity = {p.pk: convention_for(p, network, year).article8_hours_per_year for p in psychologists}
    statuses = ([MissionStatus.CLOSED] * 4 + [MissionStatus.DELIVERED] * 3 + [MissionStatus.PLANNED] * 5
                + [MissionStatus.APPROVED] * 3 + [MissionStatus.UNDER_REVIEW] * 2 + [MissionStatus.RECEIVED] * 2
                + [MissionStatus.REFUSED])
    types = list(MissionType.values)
    for i, status in enumerate(statuses):
        place = places[i % len(places)]
        mission_type = types[i % len(types)]
        start = dt.date(year, min(1 + i * 11 // len(statuses), today.month), 1)
        end = dt.date(year, 12, 31)
        mission = Mission(network=network, organisation=place, place_name=place.name, place_kind=place.kind,
                          zone=zone_for_organisation(network, place), mission_type=mission_type,
                          description=f"{rng.choice(THEMES)} : demande de soutien ({place.name}).",
                          contact_name="Contact démo", contact_email=place.email,
                          source=MissionSource.PSYCHOLOGIST if i % 5 == 4 else MissionSource.PLACE,
                          source_reference=f"demo-{network.code}-{i:02d}", status=status, year=year,
                          created_at=timezone.make_aware(dt.datetime.combine(start, dt.time(9))))
        if status in (MissionStatus.RECEIVED, MissionStatus.UNDER_REVIEW, MissionStatus.REFUSED):
            if status == MissionStatus.REFUSED:
                mission.refusal_reason = "Demande relevant d'un suivi individuel (fonction 3), réorientée."
            mission.save()
            continue
        psychologist = min(psychologists, key=lambda p: reserved[p.pk] / capacity[p.pk])
        hours = min(Decimal(rng.choice([4, 6, 8, 10, 12])), capacity[psychologist.pk] - reserved[psychologist.pk])
        if hours <= 0:
            mission.status = MissionStatus.UNDER_REVIEW
            mission.save()
            continue
        mission.psychologist, mission.hours_approved = psychologist, hours
        mission.start_on, mission.end_on = start, end
        mission.decided_at = mission.created_at
        if status != MissionStatus.APPROVED:
            mission.planning_note = "Séances fixées avec la structure."
        mission.save()
        delivered = Decimal("0")
        if status in (MissionStatus.PLANNED, MissionStatus.DELIVERED, MissionStatus.CLOSED):
            share = {MissionStatus.PLANNED: Decimal("0.4"), MissionStatus.DELIVERED: Decimal("1"),
                     MissionStatus.CLOSED: Decimal("0.8")}[status]
            target = (hours * share).quantize(Decimal("0.5"))
            day = start
            while delivered < target and day <= today:
                step = min(Decimal(rng.choice(["1", "1.5", "2"])), target - delivered)
                gp_group = mission_type == MissionType.KNOWLEDGE_SHARING and place.kind == OrganisationKind.GP_PRACTICE
                Activity.objects.create(
                    mission=mission, network=network, psychologist=psychologist, date=day, hours=step,
                    mission_type=mission_type, place_name=place.name, place_kind=place.kind,
                    is_remote=mission_type == MissionType.ADVICE and rng.random() < 0.6,
                    participants=rng.randint(6, 18) if mission_type == MissionType.KNOWLEDGE_SHARING else
                    rng.randint(1, 3), theme=rng.choice(THEMES), accreditation_requested=gp_group,
                    accreditation_status="granted" if gp_group else "not_requested")
                delivered += step
                day += dt.timedelta(days=rng.randint(9, 24))
        mission.hours_delivered = delivered
        mission.save(update_fields=["hours_delivered"])
        reserved[psychologist.pk] += max(hours, delivered) if status != MissionStatus.CLOSED else delivered
