import datetime as dt

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from psynet.models import Membership, Organisation, Psychologist, Role, User, Zone

from .models import AudienceType, InformationMoment


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _helper(label, form_id):
    helper = FormHelper()
    helper.form_id = form_id
    helper.attrs = {"novalidate": ""}
    helper.add_input(Submit("submit", label, css_id=f"{form_id}-submit"))
    return helper


class MomentForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    place = forms.CharField(label=_("Place"), max_length=200,
                            help_text=_("Where it took place, e.g. the GP circle's meeting room."))
    organisation = forms.ModelChoiceField(label=_("Place of contact (if known)"), queryset=Organisation.objects.none(),
                                          required=False)
    zone = forms.ModelChoiceField(label=_("Zone"), queryset=Zone.objects.none(), required=False)
    audience_type = forms.ChoiceField(label=_("Audience"), choices=AudienceType.choices)
    participants = forms.IntegerField(label=_("Number of participants"), min_value=1, max_value=2000)
    topic = forms.CharField(label=_("Topic"), max_length=300)
    coordinators = forms.ModelMultipleChoiceField(label=_("Coordinators who spoke"), queryset=User.objects.none(),
                                                  required=False, widget=forms.CheckboxSelectMultiple)
    psychologists = forms.ModelMultipleChoiceField(label=_("Psychologists who spoke"),
                                                   queryset=Psychologist.objects.none(), required=False,
                                                   widget=forms.SelectMultiple(attrs={"size": 6}))
    other_speakers = forms.CharField(label=_("Other speakers"), max_length=300, required=False)
    cost = forms.DecimalField(label=_("Cost (EUR)"), min_value=0, max_digits=10, decimal_places=2, initial=0,
                              help_text=_("Room, catering, printing… It may be claimed on the operating costs "
                                          "(pseudocode 727112)."))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, network, zones=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(network=network).order_by("name")
        zone_qs = Zone.objects.filter(network=network)
        if zones is not None:
            zone_qs = zone_qs.filter(pk__in=zones)
            self.fields["zone"].required = True
        self.fields["zone"].queryset = zone_qs
        coordinators = Membership.objects.filter(
            network=network, is_active=True, role__in=[Role.NETWORK_COORDINATOR, Role.LOCAL_COORDINATOR]
        ).values("user_id")
        self.fields["coordinators"].queryset = User.objects.filter(pk__in=coordinators).order_by("last_name")
        self.fields["psychologists"].queryset = Psychologist.objects.filter(
            pk__in=network.conventions.values("psychologist_id")).order_by("last_name", "first_name")
        self.helper = _helper(_("Save the information moment"), "moment-form")

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate() + dt.timedelta(days=366):
            raise forms.ValidationError(_("Enter a date within the next year."))
        return date


class CostForm(forms.Form):
    year = forms.IntegerField(label=_("Year of the convention"), min_value=2019, max_value=2100)
    date = forms.DateField(label=_("Date of the expense"), widget=DateInput())
    amount = forms.DecimalField(label=_("Amount (EUR)"), min_value=0.01, max_digits=10, decimal_places=2)
    purpose = forms.CharField(label=_("What for"), max_length=300)
    information_moments = forms.ModelMultipleChoiceField(
        label=_("Linked information moments"), queryset=InformationMoment.objects.none(), required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, network, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["information_moments"].queryset = InformationMoment.objects.filter(network=network)
        self.helper = _helper(_("Save the claim"), "cost-form")

    def clean(self):
        data = super().clean()
        year, date = data.get("year"), data.get("date")
        if year and date and abs(date.year - year) > 1:
            self.add_error("date", _("The expense date must fall in or next to the convention year."))
        return data


class YearForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in years]
        self.fields["year"].widget.attrs["class"] = "form-select"


def zones_of_local(user, network):
    """A local coordinator records moments of their own zones only; None = any zone of the network."""
    from psynet import permissions

    membership = permissions.membership_for(user, network.pk)
    if membership and membership.role == Role.LOCAL_COORDINATOR:
        return [z.pk for z in membership.zones.all()]
    return None

