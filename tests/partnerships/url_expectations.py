"""The partnership URLs in the project-wide authorization matrix (tests/test_authorization_matrix.py)."""
import datetime as dt

from django.core.files.base import ContentFile
from django.utils import timezone

NC, LC, CM, AS, PS = "network_coordinator", "local_coordinator", "committee_member", "admin_staff", "psychologist"
PUBLIC = "public"

EXPECTATIONS = {
    "partnerships:index": (None, {NC, LC}),
    "partnerships:triage": (None, {NC}),
    "partnerships:request_detail": ("partnership_request", {NC, LC}),
    "partnerships:request_route": ("partnership_request", "post-only"),
    "partnerships:request_transfer": ("partnership_request", "post-only"),
    "partnerships:request_assign": ("partnership_request", "post-only"),
    "partnerships:request_contact": ("partnership_request", "post-only"),
    "partnerships:request_needs": ("partnership_request", "post-only"),
    "partnerships:request_propose": ("partnership_request", {NC, LC}),
    "partnerships:request_decline": ("partnership_request", "post-only"),
    "partnerships:request_close": ("partnership_request", "post-only"),
    "partnerships:request_event": ("partnership_request", "post-only"),
    "partnerships:request_new_link": ("partnership_request", "post-only"),
    "partnerships:request_priorities": ("partnership_request", "post-only"),
    "partnerships:request_projection": ("partnership_request", {NC, LC}),
    "partnerships:agreement_create_from_request": ("proposed_request", {NC, LC}),
    "partnerships:event_file": ("request_event", {NC, LC}),
    "partnerships:settings": (None, {NC}),
    "partnerships:gdpr": (None, {NC}),
    "partnerships:gdpr_export": (None, "post-only"),
    "partnerships:gdpr_erase": (None, "post-only"),
    "partnerships:agreement_list": (None, {NC, LC, PS}),
    "partnerships:agreement_create": (None, {NC, LC}),
    "partnerships:agreement_outreach_breaches": (None, {NC, LC}),
    "partnerships:agreement_detail": ("agreement", {NC, LC, PS}),
    "partnerships:agreement_edit": ("agreement", {NC, LC}),
    "partnerships:agreement_send": ("agreement", "post-only"),
    "partnerships:agreement_sign": ("agreement", "post-only"),
    "partnerships:agreement_decline": ("agreement", "post-only"),
    "partnerships:agreement_terminate": ("agreement", "post-only"),
    "partnerships:agreement_pdf": ("agreement", {NC, LC, PS}),
    "collaboration:form": (None, PUBLIC),
    "collaboration:thanks": (None, PUBLIC),
    "collaboration:privacy": (None, PUBLIC),
    "collaboration:municipality_suggestions": (None, PUBLIC),
    "collaboration:follow": ("follow_token", PUBLIC),
    "collaboration:follow_message": ("follow_token", "post-only"),
    "collaboration:follow_withdraw": ("follow_token", "post-only"),
    "collaboration:follow_file": ("follow_file", PUBLIC),
    "collaboration:follow_agreement": ("follow_agreement", PUBLIC),
    "collaboration:follow_agreement_code": ("follow_agreement", "post-only"),
    "collaboration:follow_agreement_sign": ("follow_agreement", "post-only"),
    "collaboration:follow_agreement_decline": ("follow_agreement", "post-only"),
    "collaboration:follow_agreement_pdf": ("follow_agreement", PUBLIC),
    "collaboration:agreement": ("agreement_token", PUBLIC),
    "collaboration:agreement_code": ("agreement_token", "post-only"),
    "collaboration:agreement_sign": ("agreement_token", "post-only"),
    "collaboration:agreement_decline": ("agreement_token", "post-only"),
    "collaboration:agreement_pdf": ("agreement_token", PUBLIC),
}


def build_objects(network_a, role_users):
    """A request in the local coordinator's zone with a file, and a signed agreement (PDF stored) of the role
    users' psychologist, with the private links of both."""
    from partnerships import agreements, services
    from partnerships.choices import AgreementStatus, Status
    from partnerships.models import RequestEvent
    from psynet.models import Psychologist
    from tests.factories import MunicipalityFactory

    zone = role_users[LC].memberships.get(network=network_a).zones.get()
    municipality = MunicipalityFactory()
    zone.municipalities.add(municipality)
    data = {"organisation_name": "École Matrix", "place_type": "school", "municipality": municipality,
            "contact_name": "Anne", "contact_email": "anne@matrix.example", "age_groups": ["24_64"],
            "needs": "n", "offers": ["group"], "employ_interest": "no"}
    submission = services.partnership_request_submit(data=data, language="fr", preferred_network=network_a)
    req = submission.requests[0]
    token = submission.links[req.pk].rsplit("/follow/", 1)[1].strip("/")
    event = RequestEvent.objects.create(request=req, kind="partner_message", body="hi", is_visible_to_partner=True,
                                        file_name="a.pdf", file_type="application/pdf")
    event.file.save("a.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    proposed = services.partnership_request_submit(data=data, language="fr", preferred_network=network_a).requests[0]
    proposed.status = Status.PSYCHOLOGIST_PROPOSED
    proposed.save(update_fields=["status"])
    psychologist = Psychologist.objects.get(user=role_users[PS])
    agreement = agreements.agreement_create(
        network=network_a, by=role_users[NC], partner_name="École Matrix", partner_signatory_name="Anne",
        partner_signatory_email="anne@matrix.example", psychologist=psychologist,
        network_signatory=role_users[NC], zone=zone, starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + dt.timedelta(days=300), hours_per_period=2, hours_unit="week",
        total_hours=60, modalities=["group"], language="fr", partnership_request=None)
    raw = agreements._new_partner_link(agreement)
    agreement.request = req
    agreement.status = AgreementStatus.SIGNED
    agreement.signed_at = timezone.now()
    agreement.save()
    agreement.pdf.save("matrix.pdf", ContentFile(b"%PDF-1.4 matrix"), save=True)
    return {
        "partnership_request": req, "proposed_request": proposed, "request_event": event, "agreement": agreement,
        "follow_token": {"token": token}, "follow_file": {"token": token, "event_id": event.pk},
        "follow_agreement": {"token": token, "pk": agreement.pk}, "agreement_token": {"token": raw},
    }
