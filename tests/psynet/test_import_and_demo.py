from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from psynet.models import Membership, Municipality, Network, PostalCode, Psychologist, User, Zone

pytestmark = pytest.mark.django_db
DATA = Path(__file__).resolve().parents[2] / "psynet" / "data"
HEADER = ("nis_code,name_fr,name_nl,name_de,region,province_nis,province_fr,province_nl,arrondissement_nis,"
          "arrondissement_fr,arrondissement_nl,population\n")


def test_statbel_file_imports_581_municipalities_and_namur_postal_codes():
    call_command("import_municipalities")
    assert Municipality.objects.count() == 581
    assert Municipality.objects.filter(province_nis="90000").count() == 38
    namur = Municipality.objects.get(nis_code="92094")
    assert namur.name_nl == "Namen" and namur.population == 111432
    assert set(namur.postal_codes.values_list("code", flat=True)) >= {"5000", "5001", "5100", "5101"}
    call_command("import_municipalities")
    assert Municipality.objects.count() == 581 and PostalCode.objects.count() == 375


def test_bad_file_is_refused_with_lines_and_nothing_half_imported(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "92094,Namur,Namen,,wallonia,90000,,,,,,100\n" + "123,X,Y,,mars,,,,,,,many\n")
    with pytest.raises(CommandError) as exc:
        call_command("import_municipalities", str(bad))
    assert "line 3" in str(exc.value) and "5 digits" in str(exc.value) and "region" in str(exc.value)
    assert Municipality.objects.count() == 0


def test_missing_columns_and_bad_encoding_are_refused(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("nis_code,name\n92094,Namur\n")
    with pytest.raises(CommandError, match="missing columns"):
        call_command("import_municipalities", str(bad))
    bad.write_bytes(HEADER.encode() + "92094,Namür,Namen,,wallonia,,,,,,,1\n".encode("latin-1"))
    with pytest.raises(CommandError, match="UTF-8"):
        call_command("import_municipalities", str(bad))


def test_postal_code_of_an_unknown_municipality_is_refused(tmp_path):
    call_command("import_municipalities")
    bad = tmp_path / "pc.csv"
    bad.write_text("postal_code,locality,nis_code\n5000,Namur,92094\n9999,Nowhere,99999\n")
    with pytest.raises(CommandError, match="line 3"):
        call_command("import_municipalities", str(DATA / "municipalities_be_2020.csv"), postal_codes=str(bad))


def test_seed_demo_builds_psynam_and_is_idempotent():
    call_command("seed_demo")
    counts = [Network.objects.count(), Zone.objects.count(), User.objects.count(), Membership.objects.count(),
              Psychologist.objects.count()]
    call_command("seed_demo")
    assert counts == [Network.objects.count(), Zone.objects.count(), User.objects.count(),
                      Membership.objects.count(), Psychologist.objects.count()]
    assert set(Network.objects.values_list("code", flat=True)) == {"RSK", "RSN"}
    rsn = Network.objects.get(code="RSN")
    ouest, est = rsn.zones.get(name="Namur Ouest"), rsn.zones.get(name="Namur Est")
    shared = set(ouest.municipalities.values_list("nis_code", flat=True)) & set(
        est.municipalities.values_list("nis_code", flat=True))
    assert shared == {"92094"}
    assert ouest.municipalities.count() + est.municipalities.count() == 39
    assert 18 <= Psychologist.objects.count() <= 25
    multi = User.objects.get(email="multi@psynam.example")
    assert multi.memberships.count() == 2
    assert all(u.email.endswith(".example") for u in User.objects.all())
    assert User.objects.get(email="coordinator@rsn.example").check_password("demo-psynet")
