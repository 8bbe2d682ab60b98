import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import AgeGroup, Employment, Function, Role, Zone


class AnyYesNoSelect(forms.Select):
    """A yes/no filter whose empty choice reads like the other filters' ("Any"), not "Unknown"."""

    def __init__(self, attrs=None):
        super().__init__(attrs, choices=[("", _("Any")), ("true", _("Yes")), ("false", _("No"))])


class PsychologistFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name or INAMI number"), method="filter_text")
    function = django_filters.ChoiceFilter(label=_("Function"), choices=Function.choices, method="filter_function")
    age_group = django_filters.ChoiceFilter(label=_("Age group"), choices=AgeGroup.choices,
                                            method="filter_age_group")
    employment = django_filters.ChoiceFilter(label=_("Employment"), choices=Employment.choices)
    zone = django_filters.ModelChoiceFilter(label=_("Zone"), queryset=Zone.objects.none(), method="filter_zone")

    def __init__(self, *args, network, **kwargs):
        super().__init__(*args, **kwargs)
        self.network = network
        self.filters["zone"].queryset = Zone.objects.filter(network=network)

    def filter_text(self, qs, name, value):
        return qs.filter(Q(last_name__icontains=value) | Q(first_name__icontains=value)
                         | Q(inami_number__contains=value.replace("-", "")))

    def filter_function(self, qs, name, value):
        # The JSON list is matched as text ('"F2"'), which works on SQLite and PostgreSQL alike.
        return qs.filter(conventions__network=self.network, conventions__functions__icontains=f'"{value}"')

    def filter_age_group(self, qs, name, value):
        return qs.filter(conventions__network=self.network, conventions__age_groups__icontains=f'"{value}"')

    def filter_zone(self, qs, name, value):
        return qs.filter(conventions__network=self.network, conventions__zones=value)


class MemberFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name or e-mail"), method="filter_text")
    role = django_filters.ChoiceFilter(label=_("Role"), choices=Role.choices)
    is_active = django_filters.BooleanFilter(label=_("Active"), widget=AnyYesNoSelect)

    def filter_text(self, qs, name, value):
        return qs.filter(Q(user__last_name__icontains=value) | Q(user__first_name__icontains=value)
                         | Q(user__email__icontains=value))

