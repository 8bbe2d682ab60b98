"""Demo data of the partnerships part (seed_demo, order 30): about thirty collaboration requests of invented
partners in both PSYNAM networks, across every step of the pipeline and both zones (the city of Namur shared),
some waiting in triage, and agreements signed and active, awaiting signatures, declined and ended.

Everything goes through the services, so the audit trail, notifications and texts are the real ones; e-mails
are kept in memory while it runs (every address ends in .example anyway). Idempotent: once the demo partners
exist, a second run changes nothing."""
import datetime as dt

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from psynet.models import Municipality, Network, Psychologist, User

from . import agreements, routing, services
from .choices import Party
from .models import CollaborationRequest, SigningCode
from .tokens import new_code

DOMAIN = "demo-partners.example"

# (organisation, place type, municipality NIS, ages, offers, step, days ago, employ interest)
REQUESTS = [
    ("Athénée royal du Confluent", "school", "92094", ["12_17"], ["group", "clairvision"], "active", 70, "no"),
    ("Centre PMS de la Haute-Meuse", "cpms", "91034", ["3_11", "12_17"], ["art8_advice", "outreaching"], "agreement",
     40, "no"),
    ("AMO Le Tremplin", "youth_aid", "92137", ["12_17", "18_23"], ["outreaching", "group"], "proposed", 25, "maybe"),
    ("AMO Passages", "youth_aid", "91114", ["12_17"], ["art8_coconsultation"], "needs", 18, "no"),
    ("Consultation ONE des Sept Collines", "one", "93014", ["0_2"], ["group", "art8_knowledge"], "contacted", 12,
     "no"),
    ("École fondamentale des Tilleuls", "school", "92142", ["3_11"], ["clairvision"], "assigned", 6, "no"),
    ("Institut Sainte-Claire", "school", "93088", ["12_17"], ["group"], "received", 3, "no"),
    ("Internat des Ardennes", "school", "91141", ["12_17"], ["outreaching"], "received", 20, "no"),
    ("École communale de Bouge", "school", "92094", ["3_11"], ["art8_place"], "declined", 120, "no"),
    ("Maison de jeunes La Passerelle", "other", "92003", ["12_17", "18_23"], ["group"], "withdrawn", 90, "no"),
    ("Collège Saint-Berthuin", "school", "92048", ["12_17"], ["group", "clairvision"], "ended", 500, "no"),
    ("Maison médicale du Pont", "medical_house", "92094", ["24_64", "65_plus"], ["outreaching", "art8_advice"],
     "active", 80, "yes"),
    ("Cabinet médical des Quatre Vents", "gp_practice", "92142", ["24_64"], ["art8_advice", "art8_coconsultation"],
     "agreement", 45, "no"),
    ("CPAS d'Andenne – service social", "cpas", "92003", ["24_64"], ["outreaching", "group"], "proposed", 30,
     "maybe"),
    ("Résidence Les Charmilles", "elderly_care", "92035", ["65_plus"], ["outreaching", "home"], "needs", 21, "no"),
    ("Service d'accompagnement étudiant Hautes Écoles Namur", "student_service", "92094", ["18_23", "24_64"],
     ["outreaching", "video", "art8_knowledge"], "contacted", 11, "maybe"),
    ("Centre de services locaux Ciney", "local_service_centre", "91030", ["65_plus"], ["clairvision", "group"],
     "assigned", 7, "no"),
    ("Établissement pénitentiaire de la Citadelle", "prison", "92094", ["24_64"], ["outreaching"], "received", 2,
     "no"),
    ("Cabinet de médecine générale La Source", "gp_practice", "91034", ["24_64", "65_plus"], ["art8_advice"],
     "received", 19, "no"),
    ("Maison médicale de Jambes", "medical_house", "92094", ["24_64"], ["group"], "declined", 200, "no"),
    ("Centre de planning familial Les Arches", "other", "92087", ["18_23", "24_64"], ["outreaching"], "withdrawn",
     150, "no"),
    ("Service d'insertion socioprofessionnelle Meuse", "other", "92045", ["24_64"], ["group"], "ended", 520,
     "yes"),
    ("Maison médicale des Balances", "medical_house", "92101", ["24_64"], ["art8_place", "outreaching"],
     "agreement_declined", 60, "no"),
    # Both publics: one request per network.
    ("Maison de quartier Saint-Servais", "other", "92094", ["12_17", "24_64"], ["group", "clairvision"],
     "received", 4, "no"),
    ("Relais social de la Basse-Sambre", "cpas", "92140", ["18_23", "24_64"], ["outreaching"], "assigned", 9,
     "no"),
    # Triage: a municipality outside the networks, an unclear public.
    ("Service jeunesse de Liège-Ville", "youth_aid", "62063", ["12_17"], ["group"], "received", 5, "no"),
    ("Association Les Bruyères", "other", "92003", ["unsure"], ["clairvision"], "received", 8, "no"),
]

STEP_ORDER = ["received", "assigned", "contacted", "needs", "proposed", "agreement", "active"]


def _users():
    users = {}
    for code in ("RSK", "RSN"):
        lower = code.lower()
        users[code] = {
            "nc": User.objects.get(email=f"coordinator@{lower}.example"),
            "west": User.objects.get(email=f"local@{lower}.example"),
            "east": User.objects.get(email=f"local-east@{lower}.example"),
        }
    return users


def _coordinator(req, users):
    code = req.network.code
    zone_names = {z.name for z in req.zones.all()}
    return users[code]["west"] if "Namur Ouest" in zone_names else users[code]["east"]


def _psychologist_for(req):
    """A psychologist of the network with a current convention in one of the request's zones, one with an
    account first (only they can sign)."""
    zones = list(req.zones.all())
    qs = Psychologist.objects.filter(conventions__network=req.network, conventions__end_on__isnull=True,
                                     conventions__zones__in=zones).distinct()
    return qs.filter(user__isnull=False).order_by("last_name").first() or qs.order_by("last_name").first()


SIGNING_STEPS = {"agreement", "active", "ended", "agreement_declined"}


def _signing_area(code):
    """The municipalities where the network's demo psychologist with an account works (their convention zones):
    requests that reach an agreement are placed there so that the three parties can sign."""
    psychologist = Psychologist.objects.filter(user__email=f"psychologist@{code.lower()}.example").first()
    if psychologist is None:
        return set()
    return set(Municipality.objects.filter(zones__conventions__psychologist=psychologist,
                                           zones__network__code=code).values_list("nis_code", flat=True))


def build(stdout=None):
    if Network.objects.filter(code__in=["RSK", "RSN"]).count() != 2:
        return
    if CollaborationRequest.objects.filter(contact_email__endswith="@" + DOMAIN).exists():
        return
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"), transaction.atomic():
        users = _users()
        areas = {code: _signing_area(code) for code in ("RSK", "RSN")}
        made = [_request(i, row, users, areas) for i, row in enumerate(REQUESTS)]
    if stdout:
        stdout.write(f"partnerships: {sum(len(m) for m in made)} collaboration requests, "
                     f"{sum(1 for m in made for r in m if r.agreements.exists())} with an agreement")


def _request(i, row, users, areas):
    name, place, nis, ages, offers, step, days_ago, employ = row
    code = "RSK" if routing.kinds_for(ages) == {"children"} else "RSN"
    if step in SIGNING_STEPS and areas.get(code) and nis not in areas[code]:
        nis = "92094" if "92094" in areas[code] else min(areas[code])
    municipality = Municipality.objects.filter(nis_code=nis).first()
    received = timezone.now() - dt.timedelta(days=days_ago, hours=i % 7)
    data = {
        "organisation_name": f"{name} (demo)", "place_type": place, "municipality": municipality,
        "municipality_text": municipality.name_fr if municipality else nis, "address": f"Rue de la Démo {i + 1}",
        "contact_name": ["Anne Collignon", "Marc Thiry", "Sarah Lambert", "Julien Dethier", "Nathalie Gilson"][i % 5],
        "contact_role": ["direction", "coordinatrice", "assistant social", "médecin généraliste", "éducatrice"][i % 5],
        "contact_email": f"contact{i:02d}@{DOMAIN}", "contact_phone": f"081 22 {i:02d} {i + 10:02d}",
        "age_groups": ages, "vulnerable_groups": ["precarity"] if i % 3 == 0 else ["isolation"] if i % 3 == 1 else [],
        "vulnerable_other": "", "needs": _needs(place), "offers": offers,
        "availability": "Le mardi et le jeudi après-midi, une salle de réunion est disponible." if i % 2 else "",
        "employ_interest": employ, "enterprise_number": "", "place_type_other": "Maison de quartier" if place == "other"
        else "",
    }
    data.update(_questionnaire(place, i))
    submission = services.partnership_request_submit(data=data, language="nl" if i == 15 else "fr", now=received)
    for req in submission.requests:
        if req.network is None or req.triage_reason:
            continue
        _advance(req, step, users)
    return submission.requests


def _questionnaire(place, i):
    """The partner questionnaire of seed 004 on the places it was written for (student services, schools, CPMS,
    youth aid); a student service asks together with a second one."""
    if place == "student_service":
        return {"problems": ["fear_of_failure", "perfectionism", "anxiety", "low_mood"], "has_own_provider": "yes",
                "support_wanted": ["co_consultation", "shared_hour", "knowledge"],
                "support_themes": "Reconnaître les problèmes de santé mentale et en parler avec les étudiants; "
                                  "techniques d'entretien non stigmatisantes.",
                "co_applicants": [{"name": "Service social de l'Université de Namur (demo)",
                                   "place_type": "student_service", "contact": "Claire Hubert, 081 72 00 00"}]}
    if place in ("school", "cpms", "youth_aid") and i % 2 == 0:
        return {"problems": ["school_dropout", "bullying", "anxiety"], "has_own_provider": "no",
                "support_wanted": ["advice", "team_meeting"], "support_themes": "Le harcèlement entre élèves."}
    return {}


def _needs(place):
    return {
        "school": "Plusieurs élèves montrent des signes d'anxiété et de décrochage; l'équipe éducative souhaite un "
                  "relais rapide et des moments d'information pour les classes.",
        "cpms": "L'équipe PMS voit augmenter les demandes liées au harcèlement et voudrait un avis sur des situations "
                "complexes ainsi que des séances de groupe.",
        "youth_aid": "Les jeunes accueillis ne franchissent pas la porte d'un service de santé mentale; une présence "
                     "régulière sur place aiderait.",
        "gp_practice": "Les médecins voudraient pouvoir discuter de patients en souffrance psychique légère et "
                       "orienter plus vite.",
        "medical_house": "Beaucoup de patients en situation de précarité attendent longtemps une consultation "
                         "psychologique; nous proposons une permanence dans nos locaux.",
        "elderly_care": "Des résidents isolés et leurs familles expriment de la tristesse et de l'angoisse; le "
                        "personnel souhaite être soutenu.",
    }.get(place, "Notre équipe rencontre un public fragilisé et souhaite construire une collaboration avec le "
                 "réseau.")


def _advance(req, step, users):
    code = req.network.code
    nc = users[code]["nc"]
    lc = _coordinator(req, users)
    target = {"declined": "received", "withdrawn": "assigned", "ended": "active",
              "agreement_declined": "agreement"}.get(step, step)
    reached = STEP_ORDER.index(target)
    today = timezone.localdate()
    if reached >= 1:
        services.partnership_request_assign(partnership_request=req, coordinator=lc, by=nc)
    if reached >= 2:
        services.partnership_request_record_contact(
            partnership_request=req, contact_on=min(today, timezone.localtime(req.received_at).date()
                                                    + dt.timedelta(days=3)),
            channel="phone", summary="Premier appel: présentation de la convention et des missions possibles.", by=lc)
    if reached >= 3:
        services.partnership_request_analyse_needs(
            partnership_request=req, by=lc,
            analysis="Rencontre sur place avec la direction et deux membres de l'équipe. Besoin prioritaire: "
                     "séances de groupe mensuelles et un relais individuel pour les situations urgentes.")
    psychologist = _psychologist_for(req) if reached >= 4 else None
    if reached >= 4 and psychologist:
        services.partnership_request_propose(partnership_request=req, psychologists=[psychologist], by=lc,
                                             note="Disponible en semaine, parle français et néerlandais.")
    if reached >= 5 and psychologist:
        _agreement(req, psychologist, lc, nc, step)
    if step == "declined":
        services.partnership_request_decline(partnership_request=req, by=nc,
                                             reason="La demande relève d'un service spécialisé; nous vous avons "
                                                    "transmis les coordonnées du service de santé mentale.")
    if step == "withdrawn":
        services.partnership_request_close(partnership_request=req, outcome="withdrawn", by=lc,
                                           note="Le partenaire reporte son projet à l'an prochain.")


def _agreement(req, psychologist, lc, nc, step):
    today = timezone.localdate()
    if step == "ended":
        start, end = today - dt.timedelta(days=480), today - dt.timedelta(days=116)
    else:
        start, end = today - dt.timedelta(days=20) if step == "active" else today + dt.timedelta(days=14), None
        end = start + dt.timedelta(days=364)
    agreement = agreements.agreement_create(
        network=req.network, by=lc, partnership_request=req, partner_name=req.organisation_name,
        partner_address=f"{req.address}, {req.municipality.name_fr}", partner_signatory_name=req.contact_name,
        partner_signatory_role=req.contact_role, partner_signatory_email=req.contact_email,
        psychologist=psychologist, network_signatory=nc, zone=_zone_of(req, lc), language=req.language,
        starts_on=start, ends_on=end, hours_per_period=4, hours_unit="week", total_hours=160,
        modalities=_modalities(req),
        article8_hours={"advice": "10"} if any(o.startswith("art8") for o in req.offers) else {},
        place_address=f"{req.address}, {req.municipality.name_fr}", place_room="Salle polyvalente",
        target_public="Public de l'institution, en priorité les personnes les plus éloignées des soins.",
        age_groups=[a for a in req.age_groups if a != "unsure"], co_facilitators=["partner_staff"],
        co_facilitator_names="Un(e) éducateur(trice) de l'équipe",
        conditions="Le partenaire met une salle à disposition et relaie l'offre auprès de son public; le réseau "
                   "assure la coordination et l'évaluation trimestrielle.")
    if psychologist.user_id is None:
        return agreement
    agreements.agreement_send(agreement=agreement, by=lc)
    version = agreements.current_version(agreement)
    if step == "agreement_declined":
        agreements.agreement_decline(agreement=agreement, party=Party.PARTNER,
                                     reason="Les horaires proposés ne conviennent pas à notre équipe.")
        return agreement
    _sign_partner(agreement, version)
    if step == "agreement":
        return agreement  # waiting for the psychologist, then the network
    agreements.agreement_sign(agreement=agreement, party=Party.PSYCHOLOGIST, name=str(psychologist),
                              text_sha256=version.sha256, ip_address="192.0.2.20", user_agent="Demo browser",
                              by=psychologist.user)
    agreements.agreement_sign(agreement=agreement, party=Party.NETWORK, name=nc.get_full_name(),
                              text_sha256=version.sha256, ip_address="192.0.2.30", user_agent="Demo browser", by=nc)
    if step == "ended":
        agreements.agreements_advance(today=today)
    return agreement


def _modalities(req):
    """Individual sessions at the partner only where they count as outreaching (care_offer's rule for the place
    type): a place of type "other" gets group sessions."""
    from care_offer.services import outreach_place_check

    from psynet.models import Organisation

    modalities = ["group", "individual"] if "group" in req.offers else ["individual"]
    ok, _rule = outreach_place_check(Organisation(name=req.organisation_name, kind=req.place_type))
    return modalities if ok else ["group"]


def _zone_of(req, coordinator):
    mine = set(coordinator.memberships.get(network=req.network).zones.values_list("pk", flat=True))
    return next((z for z in req.zones.all() if z.pk in mine), req.zones.first())


def _sign_partner(agreement, version):
    code, digest = new_code()
    SigningCode.objects.create(agreement=agreement, code_hash=digest,
                               expires_at=timezone.now() + dt.timedelta(minutes=15))
    agreements.agreement_sign(agreement=agreement, party=Party.PARTNER, name=agreement.partner_signatory_name,
                              text_sha256=version.sha256, code=code, ip_address="192.0.2.10",
                              user_agent="Demo browser")

