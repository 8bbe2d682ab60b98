import re

import pytest
from django.urls import reverse

from psynet.models import AuditEntry, Membership, Psychologist, Role, User, Zone
from tests.factories import ConventionFactory, MunicipalityFactory, PsychologistFactory, ZoneFactory

pytestmark = pytest.mark.django_db


def test_coordinator_creates_a_zone_with_municipalities(client, coordinator_a, network_a):
    m1, m2 = MunicipalityFactory(), MunicipalityFactory()
    client.force_login(coordinator_a)
    response = client.post(reverse("psynet:zone_create"), {"name": "Namur Ouest", "municipalities": [m1.pk, m2.pk]})
    assert response.status_code == 302
    zone = Zone.objects.get(network=network_a, name="Namur Ouest")
    assert set(zone.municipalities.all()) == {m1, m2}
    assert AuditEntry.objects.filter(action="psynet.zone.created", network=network_a).exists()


def test_a_municipality_can_be_shared_by_two_zones(client, coordinator_a, network_a):
    namur = MunicipalityFactory(nis_code="92094")
    client.force_login(coordinator_a)
    for name in ("Ouest", "Est"):
        client.post(reverse("psynet:zone_create"), {"name": name, "municipalities": [namur.pk]})
    assert namur.zones.count() == 2


def test_duplicate_zone_name_is_refused_and_input_kept(client, coordinator_a, zone_a):
    client.force_login(coordinator_a)
    response = client.post(reverse("psynet:zone_create"), {"name": zone_a.name})
    assert response.status_code == 200
    assert 'value="Zone A1"' in response.content.decode()
    assert "is-invalid" in response.content.decode()


def test_other_networks_zone_is_404(client, coordinator_a, network_b):
    zone_b = ZoneFactory(network=network_b)
    client.force_login(coordinator_a)
    assert client.get(reverse("psynet:zone_update", args=[zone_b.pk])).status_code == 404


def test_invite_member_sends_set_password_mail_and_the_person_logs_in(client, coordinator_a, network_a, zone_a,
                                                                      mailoutbox, django_capture_on_commit_callbacks):
    client.force_login(coordinator_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("psynet:member_invite"), {
            "email": "New.Person@Test.example", "first_name": "Nina", "last_name": "Dupont",
            "role": Role.LOCAL_COORDINATOR, "zones": [zone_a.pk], "language": "nl"})
    assert response.status_code == 302
    user = User.objects.get(email="new.person@test.example")
    assert not user.has_usable_password()
    assert Membership.objects.get(user=user).zones.get() == zone_a
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["new.person@test.example"]
    assert "uitgenodigd" in mailoutbox[0].subject  # the invitee's language
    link = re.search(r"https?://[^/]+(/accounts/password/set/\S+/)", mailoutbox[0].body).group(1)
    client.logout()
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": "Un-mot-de-passe-solide-7",
                                      "new_password2": "Un-mot-de-passe-solide-7"}, follow=True)
    assert response.status_code == 200
    assert client.get(reverse("home")).status_code == 200
    entry = AuditEntry.objects.get(action="psynet.membership.created")
    assert entry.actor == coordinator_a and entry.after["role"] == Role.LOCAL_COORDINATOR


def test_local_coordinator_invite_needs_a_zone(client, coordinator_a):
    client.force_login(coordinator_a)
    response = client.post(reverse("psynet:member_invite"), {
        "email": "x@test.example", "first_name": "X", "last_name": "Y", "role": Role.LOCAL_COORDINATOR,
        "language": "fr"})
    assert response.status_code == 200 and "x@test.example" in response.content.decode()
    assert not User.objects.filter(email="x@test.example").exists()


def test_role_change_is_audited_with_before_and_after(client, coordinator_a, committee_a, network_a):
    membership = Membership.objects.get(user=committee_a)
    client.force_login(coordinator_a)
    client.post(reverse("psynet:member_update", args=[membership.pk]), {"role": Role.ADMIN_STAFF, "is_active": "on"})
    entry = AuditEntry.objects.get(action="psynet.membership.updated")
    assert entry.before["role"] == Role.COMMITTEE_MEMBER and entry.after["role"] == Role.ADMIN_STAFF
    page = client.get(reverse("psynet:audit_list")).content.decode()
    from django.utils import translation
    from django.utils.text import capfirst

    with translation.override("fr"):  # read as a person reads it: the object, what happened, the roles' names
        assert f"{capfirst(Membership._meta.verbose_name)} : modification" in page
        assert f"{capfirst(Membership._meta.get_field('role').verbose_name)}: {Role.ADMIN_STAFF.label}" in page
        assert f"{Role.COMMITTEE_MEMBER.label}" in page
    assert "admin_staff" not in page.replace('title="psynet.membership.updated"', "")


def test_coordinator_cannot_remove_own_coordinator_role(client, coordinator_a):
    membership = Membership.objects.get(user=coordinator_a)
    client.force_login(coordinator_a)
    response = client.post(reverse("psynet:member_update", args=[membership.pk]), {"role": Role.ADMIN_STAFF})
    assert response.status_code == 200
    membership.refresh_from_db()
    assert membership.role == Role.NETWORK_COORDINATOR


def _psychologist_post(**overrides):
    data = {"first_name": "Léa", "last_name": "Martin", "email": "lea@test.example", "inami_number": "1-23456-78-901",
            "profession": "psychologist", "languages": ["fr", "nl"], "employment": "independent",
            "convention-start_on": "01/04/2024", "convention-functions": ["F2", "F3"],
            "convention-age_groups": ["adults"], "convention-article8_hours_per_year": "40"}
    data.update(overrides)
    return data


def test_coordinator_adds_a_psychologist_with_a_convention(client, coordinator_a, network_a):
    client.force_login(coordinator_a)
    response = client.post(reverse("psynet:psychologist_create"), _psychologist_post())
    assert response.status_code == 302
    p = Psychologist.objects.get(inami_number="12345678901")
    convention = p.conventions.get()
    assert convention.network == network_a and convention.functions == ["F2", "F3"]
    assert client.get(reverse("psynet:psychologist_detail", args=[p.pk])).status_code == 200


@pytest.mark.parametrize("inami", ["123", "1234567890A", "1-23456-78-9012"])
def test_malformed_inami_number_is_refused_with_everything_kept(client, coordinator_a, inami):
    client.force_login(coordinator_a)
    response = client.post(reverse("psynet:psychologist_create"), _psychologist_post(inami_number=inami))
    body = response.content.decode()
    assert response.status_code == 200
    assert "11" in body and 'value="Léa"' in body and 'value="lea@test.example"' in body
    assert not Psychologist.objects.exists()


def test_salaried_psychologist_needs_an_employer(client, coordinator_a):
    client.force_login(coordinator_a)
    response = client.post(reverse("psynet:psychologist_create"), _psychologist_post(employment="salaried"))
    assert response.status_code == 200 and not Psychologist.objects.exists()


def test_convention_end_before_start_is_refused(client, coordinator_a):
    client.force_login(coordinator_a)
    response = client.post(reverse("psynet:psychologist_create"),
                           _psychologist_post(**{"convention-end_on": "01/01/2024"}))
    assert response.status_code == 200 and not Psychologist.objects.exists()


def test_psychologist_without_convention_in_my_network_is_404(client, coordinator_a, network_b):
    other = ConventionFactory(network=network_b).psychologist
    client.force_login(coordinator_a)
    assert client.get(reverse("psynet:psychologist_detail", args=[other.pk])).status_code == 404


def test_psychologist_list_filters(client, coordinator_a, network_a):
    ConventionFactory(network=network_a, psychologist=PsychologistFactory(last_name="Zorro"), functions=["F1"])
    ConventionFactory(network=network_a, psychologist=PsychologistFactory(last_name="Alpha"), functions=["F3"])
    client.force_login(coordinator_a)
    page = client.get(reverse("psynet:psychologist_list"), {"function": "F1"}).content.decode()
    assert "Zorro" in page and "Alpha" not in page


def test_audit_values_read_the_belgian_way(network_a, coordinator_a):
    """Dates and date-times recorded in the trail print as 31/03/2025 (14:05), choices by their label, nothing
    recorded as a dash; an unknown action code is shown as it is."""
    from django.utils import translation

    from psynet.audit import describe, log_action

    membership = Membership.objects.get(user=coordinator_a)
    entry = log_action(membership, "psynet.membership.updated", by=coordinator_a,
                       before={"role": Role.LOCAL_COORDINATOR, "is_active": False},
                       after={"role": Role.NETWORK_COORDINATOR, "is_active": True, "since": "2025-03-31",
                              "at": "2025-03-31T12:05:00+00:00", "note": None, "fee_eur": "1234.5"})
    with translation.override("fr"):
        shown = describe(entry)
        after = dict(shown["after"])
        assert after["Since"] == "31/03/2025" and after["At"] == "31/03/2025 14:05"  # Brussels summer time
        assert after["Fee eur"] == "1\u202f234,50\xa0€" or after["Fee eur"].replace("\u202f", " ").replace(
            "\xa0", " ") == "1 234,50 €"
        assert after["Note"] == "—" and after[str(Membership._meta.get_field("role").verbose_name).capitalize()] \
            == str(Role.NETWORK_COORDINATOR.label)
        assert describe(log_action(membership, "something.unknown", by=None))["what"] == "something.unknown"


def test_audit_names_the_zones_and_municipalities_recorded_by_id(client, network_a, coordinator_a,
                                                                 django_assert_max_num_queries):
    from psynet import services
    from psynet.audit import describe_all
    from psynet.models import AuditEntry
    from tests.factories import MunicipalityFactory

    towns = [MunicipalityFactory(name_fr=f"Ville {i}") for i in range(6)]
    for i in range(3):
        services.zone_create(network=network_a, by=coordinator_a, name=f"Zone {i}", municipalities=towns[i:i + 3])
    entries = list(AuditEntry.objects.filter(action="psynet.zone.created"))
    with django_assert_max_num_queries(3):  # municipalities once for every entry (content types cached or one)
        described = describe_all(entries)
    shown = [dict(d["after"]) for _e, d in described]
    assert all(any("Ville" in str(v) for v in values.values()) for values in shown)
    client.force_login(coordinator_a)
    page = client.get(reverse("psynet:audit_list")).content.decode()
    assert "Ville 0, Ville 1, Ville 2" in page
