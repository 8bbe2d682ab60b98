"""Filters of the coordinators' request list (django-filter)."""
import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from psynet.models import Zone

from . import workdays
from .municipalities import normalise
from .choices import AWAITING_CONTACT, PLACE_TYPES, Offer, Status
from .models import CollaborationRequest

DUE_CHOICES = [
    ("overdue", _("overdue")),
    ("soon", _("due within 2 working days")),
    ("waiting", _("waiting for a first contact")),
    ("triage", _("in triage")),
]


class RequestFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_text")
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=Status.choices, distinct=False,
                                                 widget=forms.SelectMultiple(attrs={"size": 4}))
    zone = django_filters.ModelChoiceFilter(label=_("Zone"), queryset=Zone.objects.none(), method="filter_zone")
    place_type = django_filters.ChoiceFilter(label=_("Type of place"), choices=PLACE_TYPES)
    offer = django_filters.ChoiceFilter(label=_("Offer wanted"), choices=Offer.choices, method="filter_offer")
    due = django_filters.ChoiceFilter(label=_("Deadline"), choices=DUE_CHOICES, method="filter_due")
    assigned = django_filters.ChoiceFilter(label=_("Assigned"), method="filter_assigned",
                                           choices=[("me", _("to me")), ("nobody", _("to nobody"))])

    class Meta:
        model = CollaborationRequest
        fields = []

    def __init__(self, *args, network, user, zones=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.filters["zone"].queryset = zones if zones is not None else Zone.objects.filter(network=network)
        for field in self.form.fields.values():
            widget = field.widget
            widget.attrs["class"] = "form-select" if isinstance(widget, forms.Select) else "form-control"

    def filter_text(self, qs, name, value):
        value = value.strip()[:100]
        key = normalise(value)
        condition = Q(search_text__contains=key) if key else Q(pk__in=[])
        digits = value.upper().removeprefix("DC-")
        if "-" in digits:
            digits = digits.rsplit("-", 1)[-1]
        if digits.isdigit():
            condition |= Q(pk=int(digits))
        return qs.filter(condition)

    def filter_zone(self, qs, name, value):
        through = CollaborationRequest.zones.through
        return qs.filter(pk__in=through.objects.filter(zone=value).values("collaborationrequest_id"))

    def filter_offer(self, qs, name, value):
        # The JSON list is matched as text ('"group"'), which works on SQLite and PostgreSQL alike.
        return qs.filter(offers__icontains=f'"{value}"')

    def filter_assigned(self, qs, name, value):
        if value == "me":
            return qs.filter(assigned_to=self.user)
        if value == "nobody":
            return qs.filter(assigned_to__isnull=True)
        return qs

    def filter_due(self, qs, name, value):
        today = timezone.localdate()
        if value == "overdue":
            return qs.filter(status__in=AWAITING_CONTACT, due_on__lt=today)
        if value == "soon":
            limit = workdays.add_working_days(today, workdays.REMINDER_WORKING_DAYS_BEFORE)
            return qs.filter(status__in=AWAITING_CONTACT, due_on__gte=today, due_on__lte=limit)
        if value == "waiting":
            return qs.filter(status__in=AWAITING_CONTACT)
        if value == "triage":
            return qs.filter(Q(network__isnull=True) | ~Q(triage_reason="")).exclude(status=Status.CLOSED)
        return qs

