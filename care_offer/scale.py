"""National-scale care-offer data for the benchmarks (generate_scale_data): a provider profile (modalities) for
every convention, 3 priorities, 10 co-facilitators, 40 applications and 300 clairvisions per network, written with
bulk_create. Volume, not history: no audit entry."""
import datetime as dt

from django.utils import timezone

from psynet.models import Convention, Organisation

from .models import (
    ApplicationStatus, Clairvision, CoFacilitator, Modality, Priority, PriorityTag, ProviderApplication,
    ProviderProfile, Theme,
)

CLAIRVISIONS = 300
APPLICATIONS = 40
CO_FACILITATORS = 10


def build(*, networks, rng, stdout=None):
    ids = [n.pk for n in networks]
    today = timezone.localdate()
    modalities = [m for m in Modality.values]
    pairs = set(Convention.objects.filter(network__in=ids).values_list("network_id", "psychologist_id"))
    ProviderProfile.objects.bulk_create(
        [ProviderProfile(network_id=n, psychologist_id=p, modalities=rng.sample(modalities, rng.randint(1, 4)))
         for n, p in pairs], batch_size=2000, ignore_conflicts=True)
    Priority.objects.bulk_create(
        [Priority(network=n, code=c, name_fr=fr, name_nl=nl) for n in networks
         for c, fr, nl in (("south", "Le sud", "Het zuiden"), ("older", "Les personnes âgées", "Ouderen"),
                           ("first-1000-days", "Les 1000 premiers jours", "De eerste 1000 dagen"))],
        ignore_conflicts=True)
    CoFacilitator.objects.bulk_create(
        [CoFacilitator(network=n, first_name=f"Co{i}", last_name=f"Animateur {n.code}",
                       kind=("expert", "professional", "partner_staff")[i % 3], languages=["fr"])
         for n in networks for i in range(CO_FACILITATORS)], batch_size=2000)
    statuses = ApplicationStatus.values
    ProviderApplication.objects.bulk_create(
        [ProviderApplication(network=n, first_name="Cand", last_name=f"{n.code}-{i}", email=f"c{i}@{n.code}.example",
                             profession="psychologist", inami_number=f"{90000000000 + n.pk * 1000 + i:011d}",
                             visa_number="123456", qualification="Master", years_practice=rng.randint(0, 25),
                             languages=["fr"], functions=["F2"], age_groups=["adults"], modalities=["practice"],
                             consent_at=timezone.now(), status=statuses[i % 3] if i % 5 else statuses[(i // 5) % 5],
                             refusal_reason="généré" if statuses[(i // 5) % 5] == "refused" else "")
         for n in networks for i in range(APPLICATIONS)
         if not (i % 5 == 0 and statuses[(i // 5) % 5] == "accepted")], batch_size=2000)
    places = {}
    for pk, network_id in Organisation.objects.filter(network__in=ids).values_list("pk", "network_id"):
        places.setdefault(network_id, []).append(pk)
    themes = [t for t in Theme.values if t != Theme.OTHER]
    rows = []
    for n in networks:
        for i in range(CLAIRVISIONS):
            individual = i % 6 == 0
            place = rng.choice(places[n.pk]) if places.get(n.pk) and i % 2 else None
            rows.append(Clairvision(network=n, held_on=today - dt.timedelta(days=rng.randint(0, 700)),
                                    place_id=place, place_text="" if place else f"Lieu {i}",
                                    format="individual" if individual else "collective",
                                    participants=1 if individual else rng.randint(4, 30),
                                    themes=rng.sample(themes, 2)))
    Clairvision.objects.bulk_create(rows, batch_size=2000)
    from django.contrib.contenttypes.models import ContentType

    clair_type = ContentType.objects.get_for_model(Clairvision)
    priorities = {}
    for pk, network_id in Priority.objects.filter(network__in=ids).values_list("pk", "network_id"):
        priorities.setdefault(network_id, []).append(pk)
    PriorityTag.objects.bulk_create(
        [PriorityTag(priority_id=rng.choice(priorities[c.network_id]), content_type=clair_type, object_id=c.pk)
         for c in Clairvision.objects.filter(network__in=ids).only("pk", "network_id") if c.pk % 3 == 0],
        batch_size=2000, ignore_conflicts=True)
    if stdout:
        stdout.write(f"care_offer: {len(pairs)} provider profiles, {len(rows)} clairvisions\n")
