from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .models import (
    AgeGroup, Convention, Employment, Function, Language, Membership, Organisation, OrganisationKind,
    Psychologist, Role, User, Zone,
)
from .validators import normalise_inami, validate_enterprise_number, validate_inami_number


class PortalFormHelper(FormHelper):
    def __init__(self, submit_label=None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form_tag = True
        self.attrs = {"novalidate": ""}
        self.add_input(Submit("submit", submit_label or _("Save")))


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(label=_("E-mail address"), widget=forms.EmailInput(attrs={"autofocus": True,
                                                                                          "autocomplete": "email"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper(_("Log in"))

    def clean_username(self):
        return self.cleaned_data["username"].strip().lower()


class ZoneForm(forms.ModelForm):
    class Meta:
        model = Zone
        fields = ["name", "municipalities"]
        widgets = {"municipalities": forms.CheckboxSelectMultiple}

    def __init__(self, *args, network, municipalities, **kwargs):
        super().__init__(*args, **kwargs)
        self.network = network
        self.fields["municipalities"].queryset = municipalities
        self.helper = PortalFormHelper()

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = Zone.objects.filter(network=self.network, name__iexact=name).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("The network already has a zone with this name."))
        return name


class MemberInviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    zones = forms.ModelMultipleChoiceField(label=_("Zones (local coordinators)"), queryset=Zone.objects.none(),
                                           required=False, widget=forms.CheckboxSelectMultiple)
    language = forms.ChoiceField(label=_("Language of the e-mails"), choices=Language.choices)

    def __init__(self, *args, network, **kwargs):
        super().__init__(*args, **kwargs)
        self.network = network
        self.fields["zones"].queryset = Zone.objects.filter(network=network)
        self.helper = PortalFormHelper(_("Send the invitation"))

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if Membership.objects.filter(network=self.network, user__email=email).exists():
            raise forms.ValidationError(_("This person is already a member of the network."))
        return email

    def clean(self):
        data = super().clean()
        if data.get("role") == Role.LOCAL_COORDINATOR and not data.get("zones"):
            self.add_error("zones", _("Choose at least one zone for a local coordinator."))
        return data


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["role", "zones", "is_active"]
        widgets = {"zones": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["zones"].queryset = Zone.objects.filter(network=self.instance.network)
        self.helper = PortalFormHelper()

    def clean(self):
        data = super().clean()
        if data.get("role") == Role.LOCAL_COORDINATOR and not data.get("zones"):
            self.add_error("zones", _("Choose at least one zone for a local coordinator."))
        return data


LANGUAGE_CHOICES = [("fr", _("French")), ("nl", _("Dutch")), ("de", _("German")), ("en", _("English"))]


class PsychologistForm(forms.ModelForm):
    languages = forms.MultipleChoiceField(label=_("Languages"), choices=LANGUAGE_CHOICES,
                                          widget=forms.CheckboxSelectMultiple)
    inami_number = forms.CharField(label=_("INAMI number"), max_length=20,
                                   help_text=_("11 digits, separators allowed: 1-23456-78-901."))

    class Meta:
        model = Psychologist
        fields = ["first_name", "last_name", "email", "phone", "inami_number", "profession", "languages",
                  "employment", "employer"]

    def __init__(self, *args, network, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employer"].queryset = Organisation.objects.filter(network=network).order_by("name")
        self.helper = PortalFormHelper()

    def clean_inami_number(self):
        value = self.cleaned_data["inami_number"]
        validate_inami_number(value)
        value = normalise_inami(value)
        if Psychologist.objects.filter(inami_number=value).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("A psychologist with this INAMI number is already registered."))
        return value

    def clean(self):
        data = super().clean()
        if data.get("employment") == Employment.SALARIED and not data.get("employer"):
            self.add_error("employer", _("A salaried psychologist needs the organisation that employs them."))
        if data.get("employment") == Employment.INDEPENDENT:
            data["employer"] = None
        return data


class ConventionForm(forms.ModelForm):
    functions = forms.MultipleChoiceField(label=_("Functions"), choices=Function.choices,
                                          widget=forms.CheckboxSelectMultiple)
    age_groups = forms.MultipleChoiceField(label=_("Age groups"), choices=AgeGroup.choices,
                                           widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Convention
        fields = ["start_on", "end_on", "functions", "age_groups", "article8_hours_per_year", "zones"]
        localized_fields = ["article8_hours_per_year"]
        widgets = {"zones": forms.CheckboxSelectMultiple,
                   "start_on": forms.DateInput(attrs={"placeholder": "31/12/2024"}),
                   "end_on": forms.DateInput(attrs={"placeholder": "31/12/2025"})}
        help_texts = {"start_on": _("dd/mm/yyyy"), "end_on": _("Leave empty for an open-ended convention.")}

    def __init__(self, *args, network, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["zones"].queryset = Zone.objects.filter(network=network)
        self.fields["zones"].required = False
        self.helper = PortalFormHelper()

    def clean_article8_hours_per_year(self):
        hours = self.cleaned_data["article8_hours_per_year"]
        if hours is not None and hours < 0:
            raise forms.ValidationError(_("Hours cannot be negative."))
        return hours

    def clean(self):
        data = super().clean()
        start, end = data.get("start_on"), data.get("end_on")
        if start and end and end < start:
            self.add_error("end_on", _("The end date must be on or after the start date."))
        return data


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "kind", "enterprise_number", "municipality", "address", "email", "phone"]

    def __init__(self, *args, municipalities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities
        self.helper = PortalFormHelper()

    def clean_enterprise_number(self):
        from stdnum.be import vat

        value = self.cleaned_data["enterprise_number"].strip()
        if value:
            validate_enterprise_number(value)
            value = vat.compact(value)
        return value


class NetworkChoiceForm(forms.Form):
    network = forms.IntegerField(widget=forms.HiddenInput)


__all__ = ["OrganisationKind", "User"]
