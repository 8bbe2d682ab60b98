from .permissions import memberships_of

SESSION_KEY = "active_network_id"


def active_membership(request):
    """The membership chosen in the session, or the only one; None when the user must choose."""
    user = request.user
    if not user.is_authenticated:
        return None
    memberships = memberships_of(user)
    chosen = request.session.get(SESSION_KEY)
    if chosen in memberships:
        return memberships[chosen]
    if len(memberships) == 1:
        return next(iter(memberships.values()))
    return None


class ActiveNetworkMiddleware:
    """Sets ``request.membership`` and ``request.network`` from the user's own memberships only."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = active_membership(request)
        request.network = request.membership.network if request.membership else None
        return self.get_response(request)
