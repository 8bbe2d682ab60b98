"""Defaults of the outreaching eligibility per type of place and of the budget rules per offer (seed 003).

Every type of place of the core gets a row. "other" and "employer" are not eligible by default: a service de
santé mentale or a psychiatric hospital recorded as "other" must not count as outreaching, and an employer of
psychologists is their workplace; the network records an override for each such place that is eligible."""
import datetime as dt

from django.db import migrations

SOURCE = "Seed 003 (PSYNAM), « L'outreaching et les lieux d'accroche »"
FIRST_LINE_FR = ("Lieu de première ligne non étiqueté santé mentale, en dehors du cabinet du psychologue et des "
                 "services dédiés aux soins de santé mentale : les séances y comptent comme outreaching.")
FIRST_LINE_NL = ("Eerstelijnsplaats zonder label geestelijke gezondheid, buiten de praktijk van de psycholoog en "
                 "buiten diensten voor geestelijke gezondheidszorg: sessies daar tellen als outreaching.")
ELIGIBILITY = [
    ("gp_practice", True, FIRST_LINE_FR, FIRST_LINE_NL),
    ("medical_house", True, FIRST_LINE_FR, FIRST_LINE_NL),
    ("school", True, FIRST_LINE_FR, FIRST_LINE_NL),
    ("cpms", True, FIRST_LINE_FR, FIRST_LINE_NL),
    ("student_service", True, FIRST_LINE_FR, FIRST_LINE_NL),
    ("youth_aid", True, FIRST_LINE_FR, FIRST_LINE_NL),
    ("overkophuis", True, FIRST_LINE_FR, FIRST_LINE_NL),
    ("cpas", True, FIRST_LINE_FR, FIRST_LINE_NL),
    ("one", True, FIRST_LINE_FR, FIRST_LINE_NL),
    ("local_service_centre", True, FIRST_LINE_FR, FIRST_LINE_NL),
    ("elderly_care", True, FIRST_LINE_FR, FIRST_LINE_NL),
    ("prison", True,
     FIRST_LINE_FR + " Les séances ne remplacent pas le service psychosocial de la prison (autre financement).",
     FIRST_LINE_NL + " De sessies vervangen de psychosociale dienst van de gevangenis niet (andere financiering)."),
    ("employer", False,
     "Une organisation qui emploie des psychologues est leur lieu de travail, comme un cabinet : pas "
     "d'outreaching, sauf décision du réseau pour ce lieu.",
     "Een organisatie die psychologen tewerkstelt is hun werkplek, zoals een praktijk: geen outreaching, "
     "tenzij het netwerk anders beslist voor die plaats."),
    ("other", False,
     "Type inconnu : un service de santé mentale, un hôpital psychiatrique ou un lieu couvert par un autre "
     "financement ne compte pas comme outreaching. Le réseau décide pour chaque lieu de ce type.",
     "Onbekend type: een dienst voor geestelijke gezondheidszorg, een psychiatrisch ziekenhuis of een plaats "
     "met andere financiering telt niet als outreaching. Het netwerk beslist per plaats."),
]
NO_LIMIT_FR = "Pas de limite budgétaire depuis juin 2023, selon certaines conditions fixées par le réseau."
NO_LIMIT_NL = "Geen budgetgrens sinds juni 2023, onder bepaalde voorwaarden van het netwerk."


def load(apps, schema_editor):
    PlaceTypeEligibility = apps.get_model("care_offer", "PlaceTypeEligibility")
    OfferBudgetRule = apps.get_model("care_offer", "OfferBudgetRule")
    for kind, eligible, fr, nl in ELIGIBILITY:
        PlaceTypeEligibility.objects.get_or_create(place_kind=kind, defaults={
            "eligible": eligible, "reason_fr": fr, "reason_nl": nl, "source": SOURCE})
    for offer in ("outreaching", "group", "clairvision"):
        OfferBudgetRule.objects.get_or_create(offer=offer, valid_from=dt.date(2023, 6, 1), defaults={
            "has_budget_limit": False, "text_fr": NO_LIMIT_FR, "text_nl": NO_LIMIT_NL, "status": "from_seeds",
            "source": "Seed 003 (PSYNAM), « Mise à jour et nouveautés 2023 » (juin 2023 : le 1er juin est supposé)"})


class Migration(migrations.Migration):
    dependencies = [("care_offer", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
