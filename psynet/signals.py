"""Drop cached memberships when what they hold changes (see ``permissions.memberships_of``)."""
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from .models import Membership, Network, Zone
from .permissions import forget_memberships


def _members_of(network_id):
    return Membership.objects.filter(network_id=network_id).values_list("user_id", flat=True)


@receiver([post_save, post_delete], sender=Membership)
def _membership_changed(sender, instance, **kwargs):
    forget_memberships([instance.user_id])


@receiver(m2m_changed, sender=Membership.zones.through)
def _membership_zones_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    if reverse:  # zone.memberships.add(...): instance is the zone
        forget_memberships(Membership.objects.filter(pk__in=pk_set or ()).values_list("user_id", flat=True)
                           if pk_set else _members_of(instance.network_id))
    else:
        forget_memberships([instance.user_id])


@receiver([post_save, post_delete], sender=Network)
def _network_changed(sender, instance, **kwargs):
    forget_memberships(_members_of(instance.pk))


@receiver([post_save, post_delete], sender=Zone)
def _zone_changed(sender, instance, **kwargs):
    forget_memberships(_members_of(instance.network_id))
