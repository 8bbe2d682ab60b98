import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from psynet.filters import AnyYesNoSelect
from psynet.models import OrganisationKind, Psychologist, Zone

from .models import MissionStatus, MissionType, PRIORITY_PLACE_KINDS


class MissionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Place or request"), method="filter_text")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=MissionStatus.choices)
    mission_type = django_filters.ChoiceFilter(label=_("Mission type"), choices=MissionType.choices)
    place_kind = django_filters.ChoiceFilter(label=_("Place type"), choices=OrganisationKind.choices)
    priority = django_filters.BooleanFilter(label=_("Priority place"), method="filter_priority",
                                            widget=AnyYesNoSelect)
    zone = django_filters.ModelChoiceFilter(label=_("Zone"), queryset=Zone.objects.none())
    psychologist = django_filters.ModelChoiceFilter(label=_("Psychologist"), queryset=Psychologist.objects.none())
    year = django_filters.NumberFilter(label=_("Year"))

    def __init__(self, *args, network, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["zone"].queryset = Zone.objects.filter(network=network)
        self.filters["psychologist"].queryset = Psychologist.objects.filter(conventions__network=network).distinct()

    def filter_text(self, qs, name, value):
        return qs.filter(Q(place_name__icontains=value) | Q(description__icontains=value))

    def filter_priority(self, qs, name, value):
        if value is True:
            return qs.filter(place_kind__in=PRIORITY_PLACE_KINDS)
        if value is False:
            return qs.exclude(place_kind__in=PRIORITY_PLACE_KINDS)
        return qs
