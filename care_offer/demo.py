"""Demo data of the care offer (run by seed_demo after the core and the other apps; idempotent): PSYNAM's three
priorities on RSN and RSK, five applications to RSN (one in each state of the selection), the two employer
organisations of the core demo with their salaried psychologists, a second RSN employer, three experts by
experience and two other co-facilitators, clairvisions, a service de santé mentale recorded as "other" and
marked ineligible for outreaching, and the network's conditions for offers without a budget limit."""
import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from psynet.models import (
    Employment, Membership, Municipality, Network, Organisation, OrganisationKind, Psychologist, Role,
)

from . import services
from .models import (
    ApplicationStatus, Clairvision, CoFacilitator, NetworkOfferCondition, PlaceEligibilityOverride, Priority,
    PriorityTag, ProviderApplication,
)

PRIORITIES = [
    ("south", "Le sud de la province", "Het zuiden van de provincie",
     "Accessibilité aux soins : mobilité, manque de services (présentation PSYNAM aux partenaires)."),
    ("older", "Les personnes âgées", "Ouderen", "Partenariats et prises en charge spécifiques (présentation PSYNAM aux partenaires)."),
    ("first-1000-days", "Les 1000 premiers jours", "De eerste 1000 dagen",
     "Prévention et détection précoce en petite enfance (présentation PSYNAM aux partenaires)."),
]
APPLICANTS = [
    # (first, last, inami, state, years)
    ("Aline", "Marchal", "19876543210", ApplicationStatus.RECEIVED, 4),
    ("Bruno", "Lejeune", "19876543228", ApplicationStatus.REVIEWED, 7),
    ("Chloé", "Dethier", "19876543236", ApplicationStatus.INTERVIEW, 3),
    ("David", "Hennaux", "19876543244", ApplicationStatus.ACCEPTED, 12),
    ("Emma", "Verhaegen", "19876543252", ApplicationStatus.REFUSED, 3),
]
CO_FACILITATORS = [
    ("Marc", "Dubois", "expert", "Expert du vécu (dépression), pair-aidant"),
    ("Nadia", "El Amrani", "expert", "Experte du vécu (parentalité, exil)"),
    ("Joseph", "Lambert", "expert", "Expert du vécu (addictions), En Route ASBL"),
    ("Sophie", "Gérard", "professional", "Assistante sociale indépendante"),
    ("Luc", "Pirson", "partner_staff", "Éducateur, AMO Le Tremplin"),
]
CONDITIONS = {
    "outreaching": "Séances dans un lieu d'accroche éligible, convention tripartite signée, rapport trimestriel "
                   "des heures au coordinateur local.",
    "group": "De 4 à 15 participants, deux heures, co-animation avec au moins un psychologue conventionné.",
    "clairvision": "Thématique de santé mentale, jamais de supervision, d'intervision, de soutien d'équipe ni "
                   "de team building ; enregistrée dans PsyNet dans le mois.",
}


def _say(stdout, text):
    if stdout:
        stdout.write(text)


def build(stdout=None):
    networks = {n.code: n for n in Network.objects.filter(code__in=["RSN", "RSK"])}
    if len(networks) != 2:
        return
    rsn, rsk = networks["RSN"], networks["RSK"]
    coordinator = Membership.objects.filter(network=rsn, role=Role.NETWORK_COORDINATOR).select_related("user").first()
    by = coordinator.user if coordinator else None
    for network in (rsn, rsk):
        services.settings_for(network)
        if services.settings_for(network).min_years_practice != 3:
            services.care_offer_settings_update(network=network, by=by, min_years_practice=3,
                                                accepts_applications=True)
        services.onboarding_items(network)
        for code, fr, nl, description in PRIORITIES:
            Priority.objects.get_or_create(network=network, code=code, defaults={
                "name_fr": fr, "name_nl": nl, "description": description})
        for offer, text in CONDITIONS.items():
            if not NetworkOfferCondition.objects.filter(network=network, offer=offer).exists():
                services.offer_condition_save(network=network, offer=offer, conditions=text, by=by)
    link = _applications(rsn, by)
    _employers(rsn, by)
    _co_facilitators(rsn, by)
    _eligibility(rsn, by)
    _clairvisions(rsn, by)
    _tag_requests(rsn, by)
    _say(stdout, "care_offer: priorities, 5 applications, co-facilitators, clairvisions, eligibility\n")
    if link:
        _say(stdout, f"care_offer: an applicant's private follow-up page: {link}\n")


def _applications(network, by):
    """The five applications in every state; returns a private follow-up link of the one waiting for its interview
    (the e-mails carry their own links; only this one is printed, since tokens are kept hashed)."""
    zones = list(network.zones.order_by("name"))
    link = None
    for i, (first, last, inami, state, years) in enumerate(APPLICANTS):
        if ProviderApplication.objects.filter(network=network, inami_number=inami).exists():
            continue
        application = services.application_submit(network=network, language="fr", documents=[], zones=zones[i % 2:][:1],
                                                  data={
            "first_name": first, "last_name": last, "email": f"{first.lower()}.{last.lower()}@candidat.example",
            "phone": f"0470 11 22 {i:02d}", "profession": "orthopedagogue" if i == 2 else "psychologist",
            "inami_number": inami, "visa_number": f"{700100 + i}", "qualification": "Master en psychologie "
            "clinique, UNamur", "years_practice": years, "languages": ["fr", "nl"] if i == 1 else ["fr"],
            "functions": ["F2", "F3"], "age_groups": ["adults"],
            "modalities": ["practice", "outreaching", "group", "clairvision"][: 2 + i % 3],
            "availability": "Deux demi-journées par semaine, dès le mois prochain.",
            "motivation": "Travailler en lieux d'accroche dans le sud de la province."})
        if state == ApplicationStatus.RECEIVED:
            continue
        application = services.application_review(application=application, by=by, note="Dossier complet.")
        if state == ApplicationStatus.INTERVIEW:
            application = services.application_plan_interview(
                application=application, by=by, interview_at=timezone.now() + dt.timedelta(days=5),
                interview_place="Rue Godefroid 20, Namur (salle 2)")
            services.applicant_message_add(application=application,
                                           body="Merci pour l'invitation : je serai présente à l'entretien.")
            link = services.follow_url(services.application_link_create(application=application))
        elif state == ApplicationStatus.ACCEPTED:
            application = services.application_plan_interview(application=application, by=by,
                                                              interview_at=timezone.now() - dt.timedelta(days=7))
            application = services.application_accept(
                application=application, by=by, start_on=timezone.localdate(), end_on=None, functions=["F2", "F3"],
                age_groups=["adults"], article8_hours_per_year=30, zones=zones[:1])
            for item in services.onboarding_items(network)[:2]:
                services.onboarding_toggle(application=application, item=item, done=True, by=by)
        elif state == ApplicationStatus.REFUSED:
            services.application_refuse(application=application, by=by,
                                        reason="Le réseau ne recrute pas dans cette zone cette année.")
    return link


def _employers(network, by):
    """The core demo has one employer per network; RSN gets a second one with a salaried psychologist."""
    name = "Service de psychologie du CPAS de Dinant – employeur (demo)"
    employer = Organisation.objects.filter(network=network, name=name).first()
    if employer is None:
        employer = services_organisation(network, by, name)
    psychologist = (Psychologist.objects.filter(conventions__network=network, employer__isnull=True)
                    .order_by("last_name").first())
    if psychologist is not None and not employer.employees.exists():
        psychologist.employment = Employment.SALARIED
        psychologist.employer = employer
        psychologist.save(update_fields=["employment", "employer"])


def services_organisation(network, by, name):
    from psynet.services import organisation_save

    return organisation_save(network=network, by=by, name=name, kind=OrganisationKind.EMPLOYER,
                             municipality=Municipality.objects.filter(nis_code="91034").first())


def _co_facilitators(network, by):
    amo = Organisation.objects.filter(network=network, kind=OrganisationKind.YOUTH_AID).order_by("name").first()
    for first, last, kind, profession in CO_FACILITATORS:
        if CoFacilitator.objects.filter(network=network, first_name=first, last_name=last).exists():
            continue
        services.co_facilitator_save(network=network, by=by, first_name=first, last_name=last, kind=kind,
                                     organisation=amo if kind == "partner_staff" else None, profession=profession,
                                     email=f"{first.lower()}@cofacilitateur.example", phone="",
                                     languages=["fr"], is_active=True)


def _eligibility(network, by):
    name = "Service de santé mentale de Namur (demo)"
    ssm = Organisation.objects.filter(network=network, name=name).first()
    if ssm is None:
        from psynet.services import organisation_save

        ssm = organisation_save(network=network, by=by, name=name, kind=OrganisationKind.OTHER,
                                municipality=Municipality.objects.filter(nis_code="92094").first())
    if not PlaceEligibilityOverride.objects.filter(organisation=ssm).exists():
        services.place_override_save(organisation=ssm, eligible=False, by=by,
                                     reason="Service de santé mentale : dédié aux soins de santé mentale, "
                                            "financé par la Région (recorded with the type “other”).")
    planning = Organisation.objects.filter(network=network, kind=OrganisationKind.OTHER,
                                           name__startswith="Centre de planning").first()
    if planning is not None and not PlaceEligibilityOverride.objects.filter(organisation=planning).exists():
        services.place_override_save(organisation=planning, eligible=True, by=by,
                                     reason="Centre de planning familial : lieu de première ligne non étiqueté "
                                            "santé mentale.")


def _clairvisions(network, by):
    if Clairvision.objects.filter(network=network).count() >= 5:
        return
    stale = Clairvision.objects.filter(network=network, recorded_by=by)  # a run stopped half-way
    PriorityTag.objects.filter(content_type=ContentType.objects.get_for_model(Clairvision),
                               object_id__in=stale.values("pk")).delete()
    stale.delete()
    priorities = {p.code: p for p in Priority.objects.filter(network=network)}
    psychologists = list(Psychologist.objects.filter(conventions__network=network).order_by("last_name")[:3])
    places = {o.kind: o for o in Organisation.objects.filter(network=network)}
    today = timezone.localdate()
    plan = [
        (40, places.get(OrganisationKind.ELDERLY_CARE), "", "collective", 14, ["ageing", "low_mood"], ["older"]),
        (25, places.get(OrganisationKind.ONE), "", "collective", 9, ["early_childhood", "parenting"],
         ["first-1000-days"]),
        (18, None, "Salle communale de Couvin", "collective", 22, ["access", "anxiety"], ["south"]),
        (10, places.get(OrganisationKind.SCHOOL), "", "individual", 1, ["school"], []),
        (3, places.get(OrganisationKind.CPAS), "", "collective", 7, ["access"], ["south"]),
    ]
    for i, (days, place, place_text, fmt, people, themes, codes) in enumerate(plan):
        services.clairvision_record(
            network=network, by=by, held_on=today - dt.timedelta(days=days), format=fmt, participants=people,
            themes=themes, place=place, place_text=(place_text or "Maison de village (demo)") if place is None else "",
            psychologist=psychologists[i % len(psychologists)] if psychologists else None,
            priorities=[priorities[c] for c in codes if c in priorities])


def _tag_requests(network, by):
    """A few of the partnership demo requests carry a priority (elderly places → older people)."""
    try:
        from partnerships.models import CollaborationRequest
    except ImportError:  # the partnerships app is not installed
        return
    older = Priority.objects.filter(network=network, code="older").first()
    if older is None:
        return
    content_type = ContentType.objects.get_for_model(CollaborationRequest)
    if PriorityTag.objects.filter(priority=older, content_type=content_type).exists():
        return
    for request in CollaborationRequest.objects.filter(network=network, place_type="elderly_care")[:3]:
        services.priority_tag(priority=older, target=request, by=by)
