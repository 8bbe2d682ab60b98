"""Every read the core's pages need, scoped to the active network."""
from django.db.models import Count, Prefetch

from .models import AuditEntry, Convention, Membership, Municipality, Notification, Organisation, Psychologist, Zone


def zones_in(network):
    return (
        Zone.objects.filter(network=network)
        .annotate(municipality_count=Count("municipalities", distinct=True))
        .prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.filter(is_active=True).select_related("user"))
        )
        .order_by("name")
    )


def municipalities_for(network):
    qs = Municipality.objects.all()
    if network.province_nis:
        qs = qs.filter(province_nis=network.province_nis)
    return qs.order_by("name_fr")


def memberships_in(network):
    return (
        Membership.objects.filter(network=network)
        .select_related("user", "network")
        .prefetch_related("zones")
        .order_by("user__last_name", "user__first_name", "user__email")
    )


def psychologists_in(network):
    """Psychologists with a convention with the network, their conventions prefetched."""
    return (
        Psychologist.objects.filter(conventions__network=network)
        .distinct()
        .select_related("employer")
        .prefetch_related(
            Prefetch(
                "conventions",
                queryset=Convention.objects.filter(network=network).prefetch_related("zones"),
                to_attr="network_conventions",
            )
        )
        .order_by("last_name", "first_name")
    )


def organisations_in(network):
    return Organisation.objects.filter(network=network).select_related("municipality").order_by("name")


def audit_in(network):
    return AuditEntry.objects.filter(network=network).select_related("actor", "content_type").order_by("-at", "-pk")


def audit_for(obj):
    from django.contrib.contenttypes.models import ContentType

    return (
        AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(obj.__class__), object_id=str(obj.pk))
        .select_related("actor")
        .order_by("-at", "-pk")
    )


def unread_notifications(user, limit=10):
    return Notification.objects.filter(recipient=user, read_at__isnull=True).order_by("-created_at")[:limit]


def conventions_in(network):
    return Convention.objects.filter(network=network).select_related("psychologist", "network")
