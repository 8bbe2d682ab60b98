"""Tripartite agreement: versions, signatures (name, time, address, browser, SHA-256 of the exact text), order,
one-time code for the partner, refusal of a changed text, new version after a change, PDF, reminders."""
import datetime as dt
import re
import shutil
import subprocess

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone, translation

from partnerships import agreements, services
from partnerships.choices import AgreementStatus, Party, Status
from partnerships.models import AgreementVersion, Signature, SigningCode, sha256_hex
from psynet.models import AuditEntry, Notification

from .conftest import FORM
from .factories import make_agreement, version_of

IP, UA = "203.0.113.7", "Mozilla/5.0 (X11; Linux x86_64) Chromium/140"


@pytest.fixture(autouse=True)
def _english():
    """The refusals are checked on their English source text."""
    with translation.override("en"):
        yield


@pytest.fixture
def proposed(psynam):
    data = {**{k: v for k, v in FORM.items() if k != "consent"}, "municipality": psynam["gembloux"],
            "age_groups": ["24_64"]}
    req = services.partnership_request_submit(data=data, language="fr").requests[0]
    lc = psynam["rsn_lc_west"]
    services.partnership_request_record_contact(partnership_request=req, contact_on=timezone.localdate(),
                                                channel="phone", summary="ok", by=lc)
    services.partnership_request_analyse_needs(partnership_request=req, analysis="Groupes", by=lc)
    services.partnership_request_propose(partnership_request=req, psychologists=[psynam["rsn_psy"]], note="", by=lc)
    req.refresh_from_db()
    return req


@pytest.fixture
def agreement(psynam, proposed):
    return make_agreement(network=psynam["rsn"], psychologist=psynam["rsn_psy"], signatory=psynam["rsn_nc"],
                          by=psynam["rsn_lc_west"], request=proposed, zone=psynam["rsn_west"])


def send(agreement, by, mailoutbox, capture):
    with capture(execute=True):
        agreements.agreement_send(agreement=agreement, by=by)
    link = re.search(r"/collaboration/agreement/([^/\s]+)/", mailoutbox[-1].body).group(1)
    return link


def partner_code(agreement, mailoutbox, capture):
    with capture(execute=True):
        agreements.agreement_send_code(agreement=agreement)
    return re.search(r"\b(\d{6})\b", mailoutbox[-1].body).group(1)


def sign_all(psynam, agreement, mailoutbox, capture):
    version = version_of(agreement)
    code = partner_code(agreement, mailoutbox, capture)
    with capture(execute=True):
        agreements.agreement_sign(agreement=agreement, party=Party.PARTNER, name="Anne Partenaire",
                                  text_sha256=version.sha256, code=code, ip_address=IP, user_agent=UA)
        agreements.agreement_sign(agreement=agreement, party=Party.PSYCHOLOGIST, name="Psy Conventionné",
                                  text_sha256=version.sha256, ip_address=IP, user_agent=UA,
                                  by=psynam["rsn_psy_user"])
        agreements.agreement_sign(agreement=agreement, party=Party.NETWORK, name="Aline Dumont",
                                  text_sha256=version.sha256, ip_address=IP, user_agent=UA, by=psynam["rsn_nc"])
    agreement.refresh_from_db()
    return agreement


def test_creating_from_the_request_moves_it_to_agreement(agreement, proposed):
    proposed.refresh_from_db()
    assert proposed.status == Status.AGREEMENT
    version = version_of(agreement)
    assert version.number == 1 and version.sha256 == sha256_hex(version.text)
    assert "École du Centre" in version.text and "Réseau" in version.text
    assert agreement.status == AgreementStatus.DRAFT and agreement.order == ["partner", "psychologist", "network"]


def test_the_text_is_stable(agreement):
    assert agreements.render_text(agreement) == version_of(agreement).text


def test_the_text_reads_well_in_french(psynam, agreement):
    agreements.agreement_update(agreement=agreement, by=psynam["rsn_nc"], age_groups=["24_64", "65_plus"],
                                co_facilitators=["partner_staff", "expert"])
    text = version_of(agreement).text
    assert "partenaire → psychologue → réseau" in text
    assert "[" not in text and "'" not in text.replace("l'", "").replace("d'", "").replace("n'", "").replace(
        "qu'", "")


def test_three_signatures_in_order_record_everything_and_activate(psynam, agreement, proposed, mailoutbox,
                                                                  django_capture_on_commit_callbacks):
    link = send(agreement, psynam["rsn_lc_west"], mailoutbox, django_capture_on_commit_callbacks)
    assert agreements.find_by_partner_token(link) == agreement
    agreement = sign_all(psynam, agreement, mailoutbox, django_capture_on_commit_callbacks)
    assert agreement.status == AgreementStatus.ACTIVE  # starts today
    version = version_of(agreement)
    signatures = list(Signature.objects.filter(version=version).order_by("signed_at"))
    assert [s.party for s in signatures] == ["partner", "psychologist", "network"]
    for s in signatures:
        assert s.text_sha256 == version.sha256 and s.ip_address == IP and s.user_agent == UA and s.signed_at
    assert signatures[0].user is None and "code" in signatures[0].method
    assert signatures[1].user == psynam["rsn_psy_user"]
    proposed.refresh_from_db()
    assert proposed.status == Status.ACTIVE
    assert agreement.pdf and agreement.pdf_sha256  # rendered on commit
    signed = AuditEntry.objects.filter(object_id=str(agreement.pk), action="partnerships.agreement.signed")
    assert signed.count() == 3 and all(e.after["sha256"] == version.sha256 for e in signed)


def test_signing_out_of_order_is_refused(psynam, agreement, mailoutbox, django_capture_on_commit_callbacks):
    send(agreement, psynam["rsn_nc"], mailoutbox, django_capture_on_commit_callbacks)
    with pytest.raises(agreements.AgreementRefused, match="signs first"):
        agreements.agreement_sign(agreement=agreement, party=Party.NETWORK, name="x", ip_address=IP, user_agent=UA,
                                  text_sha256=version_of(agreement).sha256, by=psynam["rsn_nc"])
    assert Signature.objects.count() == 0


def test_a_custom_signing_order(psynam, proposed, mailoutbox, django_capture_on_commit_callbacks):
    agreement = make_agreement(network=psynam["rsn"], psychologist=psynam["rsn_psy"], signatory=psynam["rsn_nc"],
                               zone=psynam["rsn_west"], signing_order=["network", "psychologist", "partner"])
    with django_capture_on_commit_callbacks(execute=True):
        agreements.agreement_send(agreement=agreement, by=psynam["rsn_nc"])
    assert Notification.objects.filter(recipient=psynam["rsn_nc"], key__contains=":network").exists()
    # The partner was told a text is on its way (another party signs first).
    assert "/collaboration/agreement/" in mailoutbox[-1].body
    with pytest.raises(agreements.AgreementRefused):
        agreements.agreement_send_code(agreement=agreement)


def test_signing_a_text_that_changed_is_refused_with_the_reason(psynam, agreement, mailoutbox,
                                                                django_capture_on_commit_callbacks):
    send(agreement, psynam["rsn_nc"], mailoutbox, django_capture_on_commit_callbacks)
    read = version_of(agreement).sha256
    agreements.agreement_update(agreement=agreement, by=psynam["rsn_nc"], total_hours=200)
    agreements.agreement_send(agreement=agreement, by=psynam["rsn_nc"])
    code = partner_code(agreement, mailoutbox, django_capture_on_commit_callbacks)
    with pytest.raises(agreements.TextChanged) as refused:
        agreements.agreement_sign(agreement=agreement, party=Party.PARTNER, name="Anne", text_sha256=read, code=code,
                                  ip_address=IP, user_agent=UA)
    assert "version 2" in refused.value.message and "nothing was signed" in refused.value.message
    assert Signature.objects.count() == 0
    assert AuditEntry.objects.filter(action="partnerships.agreement.signature_refused").count() == 1
    # The code was not spent by the refusal: signing the current text now works.
    agreements.agreement_sign(agreement=agreement, party=Party.PARTNER, name="Anne", code=code, ip_address=IP,
                              user_agent=UA, text_sha256=version_of(agreement).sha256)
    assert Signature.objects.count() == 1


def test_a_change_after_a_first_signature_makes_a_new_version_without_signatures(
        psynam, agreement, mailoutbox, django_capture_on_commit_callbacks):
    send(agreement, psynam["rsn_nc"], mailoutbox, django_capture_on_commit_callbacks)
    v1 = version_of(agreement)
    code = partner_code(agreement, mailoutbox, django_capture_on_commit_callbacks)
    agreements.agreement_sign(agreement=agreement, party=Party.PARTNER, name="Anne", code=code, ip_address=IP,
                              user_agent=UA, text_sha256=v1.sha256)
    agreements.agreement_update(agreement=agreement, by=psynam["rsn_lc_west"], place_room="Salle 2")
    agreement.refresh_from_db()
    v2 = version_of(agreement)
    assert v2.number == 2 and v2.sha256 != v1.sha256 and "Salle 2" in v2.text
    assert v2.signatures.count() == 0 and v1.signatures.count() == 1  # the old signature stays with v1
    v1.refresh_from_db()
    assert "Salle 2" not in v1.text  # a signed version never changes
    assert agreement.status == AgreementStatus.DRAFT
    assert agreements.next_party(agreement) == Party.PARTNER
    entry = AuditEntry.objects.filter(action="partnerships.agreement.updated").latest("at")
    assert entry.after["version"] == 2 and entry.after["place_room"] == "Salle 2"


def test_a_draft_never_sent_is_changed_in_place(psynam, agreement):
    agreements.agreement_update(agreement=agreement, by=psynam["rsn_nc"], place_room="Salle 3")
    assert AgreementVersion.objects.filter(agreement=agreement).count() == 1
    assert "Salle 3" in version_of(agreement).text


def test_signed_agreement_cannot_be_changed(psynam, agreement, mailoutbox, django_capture_on_commit_callbacks):
    send(agreement, psynam["rsn_nc"], mailoutbox, django_capture_on_commit_callbacks)
    sign_all(psynam, agreement, mailoutbox, django_capture_on_commit_callbacks)
    with pytest.raises(agreements.AgreementRefused):
        agreements.agreement_update(agreement=agreement, by=psynam["rsn_nc"], place_room="Salle 9")


def test_wrong_code_is_counted_and_five_wrong_codes_block(psynam, agreement, mailoutbox,
                                                          django_capture_on_commit_callbacks):
    send(agreement, psynam["rsn_nc"], mailoutbox, django_capture_on_commit_callbacks)
    code = partner_code(agreement, mailoutbox, django_capture_on_commit_callbacks)
    sha = version_of(agreement).sha256
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(agreements.WrongCode):
            agreements.agreement_sign(agreement=agreement, party=Party.PARTNER, name="A", code=wrong, ip_address=IP,
                                      user_agent=UA, text_sha256=sha)
    assert SigningCode.objects.get().attempts == 5
    with pytest.raises(agreements.AgreementRefused, match="Too many"):
        agreements.agreement_sign(agreement=agreement, party=Party.PARTNER, name="A", code=code, ip_address=IP,
                                  user_agent=UA, text_sha256=sha)


def test_expired_code_is_refused(psynam, agreement, mailoutbox, django_capture_on_commit_callbacks):
    send(agreement, psynam["rsn_nc"], mailoutbox, django_capture_on_commit_callbacks)
    code = partner_code(agreement, mailoutbox, django_capture_on_commit_callbacks)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=16)), pytest.raises(agreements.AgreementRefused):
        agreements.agreement_sign(agreement=agreement, party=Party.PARTNER, name="A", code=code, ip_address=IP,
                                  user_agent=UA, text_sha256=version_of(agreement).sha256)


def test_only_the_agreements_psychologist_and_named_signatory_may_sign(psynam, agreement, mailoutbox,
                                                                        django_capture_on_commit_callbacks):
    agreement.signing_order = ["psychologist", "network", "partner"]
    agreement.save()
    send(agreement, psynam["rsn_nc"], mailoutbox, django_capture_on_commit_callbacks)
    sha = version_of(agreement).sha256
    with pytest.raises(PermissionDenied):
        agreements.agreement_sign(agreement=agreement, party=Party.PSYCHOLOGIST, name="x", text_sha256=sha,
                                  ip_address=IP, user_agent=UA, by=psynam["rsk_psy_user"])
    agreements.agreement_sign(agreement=agreement, party=Party.PSYCHOLOGIST, name="x", text_sha256=sha,
                              ip_address=IP, user_agent=UA, by=psynam["rsn_psy_user"])
    with pytest.raises(PermissionDenied):
        agreements.agreement_sign(agreement=agreement, party=Party.NETWORK, name="x", text_sha256=sha, ip_address=IP,
                                  user_agent=UA, by=psynam["rsn_lc_west"])


def test_decline_with_a_reason(psynam, agreement, mailoutbox, django_capture_on_commit_callbacks):
    send(agreement, psynam["rsn_nc"], mailoutbox, django_capture_on_commit_callbacks)
    agreements.agreement_decline(agreement=agreement, party=Party.PARTNER, reason="Les horaires ne conviennent pas")
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.DECLINED and agreement.declined_by == "partner"
    assert Notification.objects.filter(recipient=psynam["rsn_lc_west"], key__contains=":declined:").exists()
    # A new version is drafted and sent again.
    agreements.agreement_update(agreement=agreement, by=psynam["rsn_lc_west"], conditions="Le jeudi")
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.DRAFT and version_of(agreement).number == 2


def test_pdf_text_holds_the_agreement_and_the_audit_page(psynam, agreement, mailoutbox,
                                                         django_capture_on_commit_callbacks):
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext is not installed (apt-get install poppler-utils)")
    send(agreement, psynam["rsn_nc"], mailoutbox, django_capture_on_commit_callbacks)
    agreement = sign_all(psynam, agreement, mailoutbox, django_capture_on_commit_callbacks)
    with agreement.pdf.open("rb") as f:
        data = f.read()
    assert data.startswith(b"%PDF") and sha256_hex(data) == agreement.pdf_sha256
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True).stdout
    text = text.decode()
    version = version_of(agreement)
    assert "ACCORD TRIPARTITE" in text.upper() or "TRIPARTITE AGREEMENT" in text.upper() or agreement.reference in text
    assert "École du Centre" in text and "Anne Partenaire" in text
    assert version.sha256[:32] in text.replace("\n", "").replace(" ", "")
    assert IP in text and "partnerships.agreement.signed" in text
    pages = subprocess.run(["pdfinfo", "-"], input=data, capture_output=True, check=True).stdout.decode()
    assert int(re.search(r"Pages:\s+(\d+)", pages).group(1)) >= 2


def test_pdf_download_for_the_three_parties_only(client, psynam, agreement, mailoutbox,
                                                 django_capture_on_commit_callbacks):
    link = send(agreement, psynam["rsn_nc"], mailoutbox, django_capture_on_commit_callbacks)
    sign_all(psynam, agreement, mailoutbox, django_capture_on_commit_callbacks)
    url = reverse("partnerships:agreement_pdf", args=[agreement.pk])
    for who, status in [("rsn_nc", 200), ("rsn_lc_west", 200), ("rsn_psy_user", 200), ("rsn_lc_east", 404),
                        ("rsn_committee", 403), ("rsk_nc", 404), ("rsk_psy_user", 404)]:
        client.force_login(psynam[who])
        assert client.get(url).status_code == status, who
    client.logout()
    assert client.get(url).status_code == 302
    assert client.get(reverse("collaboration:agreement_pdf", args=[link])).status_code == 200
    assert client.get(reverse("collaboration:agreement_pdf", args=["forged" * 8])).status_code == 404


def test_partner_signs_through_the_pages(client, psynam, agreement, mailoutbox, django_capture_on_commit_callbacks):
    link = send(agreement, psynam["rsn_nc"], mailoutbox, django_capture_on_commit_callbacks)
    page = client.get(reverse("collaboration:agreement", args=[link]))
    assert page.status_code == 200 and "École du Centre" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("collaboration:agreement_code", args=[link]))
    code = re.search(r"\b(\d{6})\b", mailoutbox[-1].body).group(1)
    sha = version_of(agreement).sha256
    response = client.post(reverse("collaboration:agreement_sign", args=[link]),
                           {"name": "Anne Partenaire", "code": code, "text_sha256": sha, "agree": "on"},
                           HTTP_USER_AGENT=UA, REMOTE_ADDR=IP)
    assert response.status_code == 302
    signature = Signature.objects.get()
    assert (signature.party, signature.ip_address, signature.user_agent) == ("partner", IP, UA)


def test_partner_page_refuses_a_changed_text_with_the_reason(client, psynam, agreement, mailoutbox,
                                                             django_capture_on_commit_callbacks):
    link = send(agreement, psynam["rsn_nc"], mailoutbox, django_capture_on_commit_callbacks)
    old = version_of(agreement).sha256
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("collaboration:agreement_code", args=[link]))
    code = re.search(r"\b(\d{6})\b", mailoutbox[-1].body).group(1)
    agreements.agreement_update(agreement=agreement, by=psynam["rsn_nc"], conditions="Nouvelle clause")
    response = client.post(reverse("collaboration:agreement_sign", args=[link]),
                           {"name": "Anne", "code": code, "text_sha256": old, "agree": "on"})
    assert response.status_code == 409
    assert "data-testid=\"sign-error\"" in response.content.decode()
    assert Signature.objects.count() == 0


def test_psychologist_and_network_sign_logged_in(client, psynam, agreement, mailoutbox,
                                                 django_capture_on_commit_callbacks):
    send(agreement, psynam["rsn_nc"], mailoutbox, django_capture_on_commit_callbacks)
    code = partner_code(agreement, mailoutbox, django_capture_on_commit_callbacks)
    sha = version_of(agreement).sha256
    agreements.agreement_sign(agreement=agreement, party=Party.PARTNER, name="Anne", code=code, text_sha256=sha,
                              ip_address=IP, user_agent=UA)
    for who in ("rsn_psy_user", "rsn_nc"):
        client.force_login(psynam[who])
        page = client.get(reverse("partnerships:agreement_detail", args=[agreement.pk])).content.decode()
        assert "sign-sha256" not in page and 'name="sign-text_sha256"' in page
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("partnerships:agreement_sign", args=[agreement.pk]),
                                   {"sign-name": "Signataire", "sign-text_sha256": sha, "sign-agree": "on"})
        assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ACTIVE and agreement.pdf


def test_unsigned_after_7_days_and_ending_within_30_days_are_reminded_once(psynam, agreement, mailoutbox,
                                                                           django_capture_on_commit_callbacks):
    send(agreement, psynam["rsn_nc"], mailoutbox, django_capture_on_commit_callbacks)
    today = timezone.localdate()
    assert agreements.agreement_reminders_send(today=today) == []
    with time_machine.travel(timezone.now() + dt.timedelta(days=8)):
        with django_capture_on_commit_callbacks(execute=True):
            sent = agreements.agreement_reminders_send(today=today + dt.timedelta(days=8))
        assert sent == [("anne@partner.example", f"agreement:{agreement.pk}:v1:unsigned:partner")]
        assert "/collaboration/agreement/" in mailoutbox[-1].body
        assert agreements.agreement_reminders_send(today=today + dt.timedelta(days=9)) == []
    sign_all(psynam, agreement, mailoutbox, django_capture_on_commit_callbacks)
    near_end = agreement.ends_on - dt.timedelta(days=29)
    sent = agreements.agreement_reminders_send(today=near_end)
    assert sorted(e for e, _s in sent) == sorted({psynam["rsn_nc"].email, psynam["rsn_lc_west"].email,
                                                  psynam["rsn_psy_user"].email})
    assert agreements.agreement_reminders_send(today=near_end + dt.timedelta(days=1)) == []


def test_agreement_starts_and_ends_on_its_dates(psynam, proposed, mailoutbox, django_capture_on_commit_callbacks):
    start = timezone.localdate() + dt.timedelta(days=10)
    agreement = make_agreement(network=psynam["rsn"], psychologist=psynam["rsn_psy"], signatory=psynam["rsn_nc"],
                               request=proposed, zone=psynam["rsn_west"], starts_on=start,
                               ends_on=start + dt.timedelta(days=30))
    send(agreement, psynam["rsn_nc"], mailoutbox, django_capture_on_commit_callbacks)
    agreement = sign_all(psynam, agreement, mailoutbox, django_capture_on_commit_callbacks)
    assert agreement.status == AgreementStatus.SIGNED
    assert agreements.agreements_advance(today=start) == [agreement.pk]
    agreement.refresh_from_db()
    proposed.refresh_from_db()
    assert agreement.status == AgreementStatus.ACTIVE and proposed.status == Status.ACTIVE
    agreements.agreements_advance(today=start + dt.timedelta(days=31))
    agreement.refresh_from_db()
    proposed.refresh_from_db()
    assert agreement.status == AgreementStatus.ENDED
    assert (proposed.status, proposed.outcome) == (Status.CLOSED, "completed")


def test_sending_needs_the_psychologists_account(psynam):
    from tests.factories import ConventionFactory

    convention = ConventionFactory(network=psynam["rsn"], start_on=dt.date(2024, 4, 1))
    agreement = make_agreement(network=psynam["rsn"], psychologist=convention.psychologist,
                               signatory=psynam["rsn_nc"], zone=psynam["rsn_west"])
    with pytest.raises(agreements.AgreementRefused, match="account"):
        agreements.agreement_send(agreement=agreement, by=psynam["rsn_nc"])


def test_terms_are_checked(psynam):
    with pytest.raises(agreements.AgreementRefused):
        make_agreement(network=psynam["rsn"], psychologist=psynam["rsk_psy"], signatory=psynam["rsn_nc"])
    with pytest.raises(agreements.AgreementRefused):
        make_agreement(network=psynam["rsn"], psychologist=psynam["rsn_psy"], signatory=psynam["rsn_lc_west"])
    with pytest.raises(agreements.AgreementRefused):
        make_agreement(network=psynam["rsn"], psychologist=psynam["rsn_psy"], signatory=psynam["rsn_nc"],
                       signing_order=["partner", "partner", "network"])


def test_a_terminate_form_without_reason_comes_back_open_with_its_error(client, psynam, agreement):
    client.force_login(psynam["rsn_nc"])
    response = client.post(reverse("partnerships:agreement_terminate", args=[agreement.pk]), {"terminate-reason": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert "is-invalid" in html and 'open><summary>' in html
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.DRAFT


def test_signing_refused_by_the_rules_comes_back_on_the_page_with_the_reason(client, psynam, agreement):
    client.force_login(psynam["rsn_nc"])  # a draft cannot be signed
    response = client.post(reverse("partnerships:agreement_sign", args=[agreement.pk]),
                           {"sign-name": "Colette", "sign-agree": "on", "sign-text_sha256": "0" * 64})
    assert response.status_code == 409 and [str(m) for m in response.context["messages"]]
    assert not Signature.objects.filter(version__agreement=agreement).exists()
