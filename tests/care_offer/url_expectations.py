"""The care-offer URLs in the project-wide authorization matrix (tests/test_authorization_matrix.py)."""
NC, LC, CM, AS, PS = "network_coordinator", "local_coordinator", "committee_member", "admin_staff", "psychologist"
ALL = {NC, LC, CM, AS, PS}
PUBLIC = "public"
VIEW = {NC, LC, CM, AS}

EXPECTATIONS = {
    "care_offer:index": (None, ALL),
    "care_offer:application_list": (None, {NC, LC}),
    "care_offer:application_detail": ("care_application", {NC, LC}),
    "care_offer:application_review": ("care_application", {NC, LC}),
    "care_offer:application_interview": ("care_application", {NC, LC}),
    "care_offer:application_accept": ("care_application", {NC}),
    "care_offer:application_refuse": ("care_application", {NC}),
    "care_offer:document_file": ("care_document", {NC, LC}),
    "care_offer:application_new_link": ("care_application", "post-only"),
    "care_offer:onboarding_toggle": ("care_onboarding", "post-only"),
    "care_offer:settings": (None, {NC}),
    "care_offer:onboarding_item_list": (None, {NC}),
    "care_offer:onboarding_item_create": (None, {NC}),
    "care_offer:onboarding_item_update": ("care_onboarding_item", {NC}),
    "care_offer:onboarding_item_move": ("care_onboarding_item", "post-only"),
    "care_offer:employer_list": (None, VIEW),
    "care_offer:co_facilitator_list": (None, ALL),
    "care_offer:co_facilitator_create": (None, {NC, LC}),
    "care_offer:co_facilitator_update": ("care_co_facilitator", {NC, LC}),
    "care_offer:supply_demand": (None, VIEW),
    "care_offer:priority_list": (None, VIEW),
    "care_offer:priority_create": (None, {NC}),
    "care_offer:priority_update": ("care_priority", {NC}),
    "care_offer:clairvision_list": (None, ALL),
    "care_offer:clairvision_create": (None, {NC, LC, PS}),
    "care_offer:eligibility": (None, VIEW),
    "care_offer:override_create": (None, {NC}),
    "care_offer:override_remove": ("care_organisation", "post-only"),
    "care_offer:budget_rules": (None, VIEW),
    "care_offer:condition_update": (None, {NC}),
    "apply:choose": (None, PUBLIC),
    "apply:thanks": (None, PUBLIC),
    "apply:form": ("care_apply_network", PUBLIC),
    "apply:follow": ("care_follow", PUBLIC),
    "apply:follow_message": ("care_follow", "post-only"),
    "apply:follow_document": ("care_follow_document", PUBLIC),
}


def build_objects(network_a, role_users):
    from django.core.files.base import ContentFile

    from care_offer import services
    from care_offer.models import ApplicationDocument
    from tests.care_offer.factories import (
        PDF, CoFacilitatorFactory, PriorityFactory, ProviderApplicationFactory,
    )
    from tests.factories import OrganisationFactory

    from psynet.models import Membership

    application = ProviderApplicationFactory(network=network_a)
    # in the local coordinator's zones: outside them the application is a 404 for them (tests/care_offer)
    application.zones.set(Membership.objects.get(user=role_users[LC], network=network_a).zones.all())
    document = ApplicationDocument(application=application, kind="diploma", file_name="diplome.pdf",
                                   file_type="application/pdf", file_size=len(PDF))
    document.file.save("d.pdf", ContentFile(PDF), save=True)
    item = services.onboarding_items(network_a)[0]
    token = services.application_link_create(application=application)
    return {
        "care_application": application, "care_document": {"pk": application.pk, "doc_pk": document.pk},
        "care_onboarding": {"pk": application.pk, "item_pk": item.pk},
        "care_onboarding_item": item,
        "care_follow": {"token": token},
        "care_follow_document": {"token": token, "doc_pk": document.pk},
        "care_co_facilitator": CoFacilitatorFactory(network=network_a),
        "care_priority": PriorityFactory(network=network_a),
        "care_organisation": OrganisationFactory(network=network_a),
        "care_apply_network": {"code": network_a.code},
    }
