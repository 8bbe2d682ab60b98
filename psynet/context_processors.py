from . import permissions


def portal(request):
    """The active network and the menu entries the user may see (booleans, no role tests in templates)."""
    network = getattr(request, "network", None)
    user = getattr(request, "user", None)
    if not network or not user or not user.is_authenticated:
        return {"active_network": None, "menu": {}, "has_several_networks": False}
    menu = permissions.flags(
        user, network, "zone.view", "member.view", "psychologist.view", "audit.view", "report.view",
        "partnership.view", "article8.view", "billing.view",
    )
    return {
        "active_network": network,
        "active_role": request.membership.get_role_display(),
        "menu": menu,
        "has_several_networks": len(permissions.memberships_of(user)) > 1,
    }
