import django_filters
from django.utils.translation import gettext_lazy as _

from psynet.models import Function

from . import selectors
from .forms import DateInput
from .models import CareSession, Format, Setting


class SessionFilter(django_filters.FilterSet):
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("From"), widget=DateInput())
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("To"), widget=DateInput())
    psychologist = django_filters.ModelChoiceFilter(queryset=None, label=_("Psychologist"))
    function = django_filters.ChoiceFilter(choices=Function.choices, label=_("Function"))
    format = django_filters.ChoiceFilter(choices=Format.choices, label=_("Format"))
    setting = django_filters.ChoiceFilter(choices=Setting.choices, label=_("Setting"))

    class Meta:
        model = CareSession
        fields = []

    def __init__(self, *args, network, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["psychologist"].queryset = selectors.psychologists_in(network)
