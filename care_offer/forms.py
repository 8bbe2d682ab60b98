"""Forms of the care-offer pages. Every value typed is kept when a form comes back with a message (files cannot
be kept by a browser: the message says to choose them again)."""
import re
import time

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Fieldset, Layout, Submit
from django import forms
from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnerships import conf as spam_conf
from partnerships.forms import PHONE, STARTED_SALT, SpamSuspected, sign_started
from psynet.forms import LANGUAGE_CHOICES, PortalFormHelper
from psynet.models import AgeGroup, Function, Organisation, Profession, Psychologist, Zone
from psynet.validators import normalise_inami, validate_inami_number

from . import services
from .models import (
    ApplicationStatus, ClairvisionFormat, CoFacilitator, CoFacilitatorKind, DocumentKind, Modality, OnboardingItem,
    Priority, ProviderApplication, Theme,
)

VISA = re.compile(r"^[0-9]{5,10}$")
VISA_SEPARATORS = re.compile(r"[\s.\-/]")

__all__ = ["SpamSuspected"]


def _helper(submit_label):
    return PortalFormHelper(submit_label)



def checked_upload(upload):
    """A document checked by its content and size (services.check_document), rewound for saving; a clear,
    translated field error otherwise."""
    if upload:
        try:
            services.check_document(upload)
        except services.UploadRefused as exc:
            raise forms.ValidationError(exc.message, code="upload") from None
        upload.seek(0)
    return upload

class ApplicationForm(forms.Form):
    """The public application for a convention (no account)."""

    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    email = forms.EmailField(label=_("E-mail address"), max_length=254,
                             help_text=_("The network answers at this address."))
    phone = forms.CharField(label=_("Phone (optional)"), max_length=30, required=False)
    profession = forms.ChoiceField(label=_("Profession"), choices=Profession.choices, widget=forms.RadioSelect)
    inami_number = forms.CharField(label=_("INAMI number"), max_length=20,
                                   help_text=_("11 digits, separators allowed: 1-23456-78-901."))
    visa_number = forms.CharField(label=_("Visa number"), max_length=20,
                                  help_text=_("The visa of the FPS Public Health: 5 to 10 digits."))
    qualification = forms.CharField(label=_("Qualification (diploma, university, year)"), max_length=300)
    years_practice = forms.IntegerField(label=_("Years of clinical practice"), min_value=0, max_value=60)
    languages = forms.MultipleChoiceField(label=_("Languages in which you work"), choices=LANGUAGE_CHOICES,
                                          widget=forms.CheckboxSelectMultiple)
    zones = forms.ModelMultipleChoiceField(label=_("Zones where you would work"), queryset=Zone.objects.none(),
                                           widget=forms.CheckboxSelectMultiple, required=False)
    functions = forms.MultipleChoiceField(label=_("Functions"), choices=Function.choices,
                                          widget=forms.CheckboxSelectMultiple)
    age_groups = forms.MultipleChoiceField(label=_("Age groups"), choices=AgeGroup.choices,
                                           widget=forms.CheckboxSelectMultiple)
    modalities = forms.MultipleChoiceField(label=_("What you would offer"), choices=Modality.choices,
                                           widget=forms.CheckboxSelectMultiple)
    availability = forms.CharField(label=_("Availability"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                                   help_text=_("Days, hours per week, from when."))
    motivation = forms.CharField(label=_("Why this network? (optional)"), max_length=4000, required=False,
                                 widget=forms.Textarea(attrs={"rows": 4}))
    diploma = forms.FileField(label=_("Diploma"), help_text=_("PDF, image, DOCX or ODT, 10 MB at most."))
    visa = forms.FileField(label=_("Visa"), help_text=_("PDF, image, DOCX or ODT, 10 MB at most."))
    cv = forms.FileField(label=_("Curriculum vitae (optional)"), required=False,
                         help_text=_("PDF, image, DOCX or ODT, 10 MB at most."))
    consent = forms.BooleanField(
        label=_("I agree that the network keeps these data and documents to examine my application."),
        error_messages={"required": _("Your agreement is needed to send the application.")})
    website = forms.CharField(label=_("Leave this field empty"), required=False, max_length=200)
    started = forms.CharField(widget=forms.HiddenInput, required=False)

    FILE_FIELDS = [("diploma", "diploma"), ("visa", "visa"), ("cv", "cv")]

    def __init__(self, *args, network, **kwargs):
        super().__init__(*args, **kwargs)
        self.network = network
        self.rules = services.settings_for(network)
        self.fields["zones"].queryset = Zone.objects.filter(network=network).order_by("name")
        if self.rules.min_years_practice:
            self.fields["years_practice"].help_text = _("This network asks at least %(years)s years.") % {
                "years": self.rules.min_years_practice}
        if not self.is_bound:
            self.initial["started"] = sign_started()
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(_("You"), "first_name", "last_name", "email", "phone", "profession"),
            Fieldset(_("Your registration"), "inami_number", "visa_number", "qualification", "years_practice"),
            Fieldset(_("Your offer"), Div("languages", css_class="checkbox-columns"),
                     Div("zones", css_class="checkbox-columns"), Div("functions", css_class="checkbox-columns"),
                     Div("age_groups", css_class="checkbox-columns"),
                     Div("modalities", css_class="checkbox-columns"),
                     HTML('{% include "care_offer/_clairvision_notice.html" %}'),
                     "availability", "motivation"),
            Fieldset(_("Documents"), HTML('{% load i18n %}<p class="form-text" id="documents-note">{% translate '
                                          '"If the form comes back with a message, choose the files again: '
                                          'a browser never keeps them." %}</p>'),
                     "diploma", "visa", "cv"),
            Div(Field("website", tabindex="-1", autocomplete="off"), css_class="form-extra", aria_hidden="true"),
            "started",
            Fieldset(_("Privacy"), "consent"),
            Submit("submit", _("Send the application")),
        )

    def clean_inami_number(self):
        value = self.cleaned_data["inami_number"]
        validate_inami_number(value)
        value = normalise_inami(value)
        if ProviderApplication.objects.filter(network=self.network, inami_number=value,
                                              status__in=[ApplicationStatus.RECEIVED, ApplicationStatus.REVIEWED,
                                                          ApplicationStatus.INTERVIEW]).exists():
            raise forms.ValidationError(_("The network is already examining an application with this INAMI number."),
                                        code="duplicate")
        return value

    def clean_visa_number(self):
        value = VISA_SEPARATORS.sub("", self.cleaned_data["visa_number"])
        if not VISA.match(value):
            raise forms.ValidationError(_("A visa number has 5 to 10 digits, for example 123456."), code="invalid")
        return value

    def clean_phone(self):
        value = self.cleaned_data["phone"].strip()
        if value and not PHONE.match(value):
            raise forms.ValidationError(_("Enter a phone number with digits, e.g. 081 12 34 56."), code="invalid")
        return value

    def clean_years_practice(self):
        value = self.cleaned_data["years_practice"]
        if value < self.rules.min_years_practice:
            raise forms.ValidationError(_("This network asks at least %(years)s years of clinical practice.")
                                        % {"years": self.rules.min_years_practice}, code="too_few")
        return value

    def _clean_file(self, name):
        return checked_upload(self.cleaned_data.get(name))

    def clean_diploma(self):
        return self._clean_file("diploma")

    def clean_visa(self):
        return self._clean_file("visa")

    def clean_cv(self):
        return self._clean_file("cv")

    def clean(self):
        data = super().clean()
        if data.get("website"):
            raise SpamSuspected
        try:
            started = signing.loads(data.get("started") or "", salt=STARTED_SALT,
                                    max_age=spam_conf.form_max_age_seconds())
        except signing.BadSignature:
            self._refresh(_("This form was open for a long time: check your answers and send it again."))
        else:
            if time.time() - float(started) < spam_conf.min_fill_seconds():
                self._refresh(_("The form was sent very quickly: check your answers and send it again."))
        return data

    def _refresh(self, message):
        self.data = self.data.copy()
        self.data["started"] = sign_started()
        self.add_error(None, message)

    def application_data(self):
        d = self.cleaned_data
        return {k: d[k] for k in ("first_name", "last_name", "email", "phone", "profession", "inami_number",
                                  "visa_number", "qualification", "years_practice", "languages", "functions",
                                  "age_groups", "modalities", "availability", "motivation")}

    def documents(self):
        return [(kind, self.cleaned_data[name]) for name, kind in self.FILE_FIELDS if self.cleaned_data.get(name)]


class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReviewForm(VersionedForm):
    note = forms.CharField(label=_("Review note (optional)"), max_length=4000, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Mark as reviewed"))


class InterviewForm(VersionedForm):
    interview_at = forms.DateTimeField(label=_("Interview date and time"),
                                       widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                  format="%Y-%m-%dT%H:%M"),
                                       input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"])
    interview_place = forms.CharField(label=_("Place of the interview (optional)"), max_length=200,
                                      required=False,
                                      help_text=_("An address, or “by video”. The applicant reads it."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Plan the interview"))


class RefuseForm(VersionedForm):
    reason = forms.CharField(label=_("Reason for the refusal"), max_length=4000,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": _("Give the reason for the refusal; the applicant is told.")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Refuse the application"))


class AcceptForm(VersionedForm):
    start_on = forms.DateField(label=_("Convention start date"), widget=forms.DateInput(attrs={"type": "date"}))
    end_on = forms.DateField(label=_("Convention end date (optional)"), required=False,
                             widget=forms.DateInput(attrs={"type": "date"}))
    functions = forms.MultipleChoiceField(label=_("Functions"), choices=Function.choices,
                                          widget=forms.CheckboxSelectMultiple)
    age_groups = forms.MultipleChoiceField(label=_("Age groups"), choices=AgeGroup.choices,
                                           widget=forms.CheckboxSelectMultiple)
    article8_hours_per_year = forms.DecimalField(label=_("Article 8 hours per year"), min_value=0, max_value=2000,
                                                 decimal_places=1, initial=0)
    zones = forms.ModelMultipleChoiceField(label=_("Zones"), queryset=Zone.objects.none(),
                                           widget=forms.CheckboxSelectMultiple, required=False)
    article8_places = forms.ModelMultipleChoiceField(
        label=_("Places of the article 8 hours (optional)"), queryset=Organisation.objects.none(), required=False,
        help_text=_("INAMI circular of 19 February 2025: conventions fix the article 8 hours and the places."))

    def __init__(self, *args, network, application=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["zones"].queryset = Zone.objects.filter(network=network).order_by("name")
        self.fields["article8_places"].queryset = Organisation.objects.filter(network=network).order_by("name")
        if application is not None and not self.is_bound:
            self.initial.update({"functions": application.functions, "age_groups": application.age_groups,
                                 "zones": list(application.zones.all()), "start_on": timezone.localdate()})
        self.helper = _helper(_("Accept and create the convention"))

    def clean(self):
        data = super().clean()
        if data.get("start_on") and data.get("end_on") and data["end_on"] < data["start_on"]:
            self.add_error("end_on", _("The end date comes after the start date."))
        return data


class ApplicantMessageForm(forms.Form):
    """What the applicant adds through their private link: a message, a document, or both."""

    body = forms.CharField(label=_("Your message"), max_length=4000, required=False,
                           widget=forms.Textarea(attrs={"rows": 4}))
    kind = forms.ChoiceField(label=_("Kind of document"), choices=DocumentKind.choices, initial=DocumentKind.OTHER)
    file = forms.FileField(label=_("Document (optional)"), required=False,
                           help_text=_("PDF, image, DOCX or ODT, 10 MB at most."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_file(self):
        return checked_upload(self.cleaned_data.get("file"))

    def clean(self):
        data = super().clean()
        if not (data.get("body") or "").strip() and not data.get("file") and not self.errors:
            raise forms.ValidationError(_("Write a message or choose a document."), code="empty")
        return data


class OnboardingItemForm(forms.ModelForm):
    class Meta:
        model = OnboardingItem
        fields = ["code", "label_fr", "label_nl", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = _("Letters, digits and hyphens; unique in the network's checklist.")
        self.helper = _helper(_("Save"))

    def validate_unique(self):
        """The network is not a form field: the service checks the code per network."""


class CareOfferSettingsForm(forms.Form):
    min_years_practice = forms.IntegerField(label=_("Minimum years of clinical practice"), min_value=0,
                                            max_value=40, help_text=_("PSYNAM asks at least 3 years. 0: no minimum."))
    accepts_applications = forms.BooleanField(label=_("The public application form is open"), required=False)
    link_validity_days = forms.IntegerField(
        label=_("Days an applicant's follow-up link stays valid"), min_value=7, max_value=730, initial=365,
        help_text=_("Each e-mail to the applicant carries a fresh link valid this many days."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Save"))


class CoFacilitatorForm(forms.ModelForm):
    languages = forms.MultipleChoiceField(label=_("Languages"), choices=LANGUAGE_CHOICES,
                                          widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = CoFacilitator
        fields = ["first_name", "last_name", "kind", "organisation", "profession", "email", "phone", "languages",
                  "is_active"]

    def __init__(self, *args, network, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(network=network).order_by("name")
        self.fields["kind"].choices = CoFacilitatorKind.choices
        self.helper = _helper(_("Save"))

    def clean_phone(self):
        value = self.cleaned_data["phone"].strip()
        if value and not PHONE.match(value):
            raise forms.ValidationError(_("Enter a phone number with digits, e.g. 081 12 34 56."), code="invalid")
        return value


class PriorityForm(forms.ModelForm):
    class Meta:
        model = Priority
        fields = ["code", "name_fr", "name_nl", "description", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Save"))

    def validate_unique(self):
        """The network is not a form field: the service checks the code per network."""


class ClairvisionForm(forms.Form):
    held_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.ModelChoiceField(label=_("Place (a known organisation)"), queryset=Organisation.objects.none(),
                                   required=False)
    place_text = forms.CharField(label=_("Or another place"), max_length=200, required=False)
    format = forms.ChoiceField(label=_("Individual or collective"), choices=ClairvisionFormat.choices,
                               widget=forms.RadioSelect)
    participants = forms.IntegerField(label=_("Number of participants"), min_value=1, max_value=500)
    themes = forms.MultipleChoiceField(label=_("Themes"), choices=Theme.choices, widget=forms.CheckboxSelectMultiple,
                                       required=False)
    themes_other = forms.CharField(label=_("Other themes (optional)"), max_length=300, required=False)
    psychologist = forms.ModelChoiceField(label=_("Psychologist"), queryset=Psychologist.objects.none(),
                                          required=False)
    priorities = forms.ModelMultipleChoiceField(label=_("Network priorities (optional)"),
                                                queryset=Priority.objects.none(), required=False,
                                                widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, network, psychologists, fixed_psychologist=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = Organisation.objects.filter(network=network).order_by("name")
        self.fields["psychologist"].queryset = psychologists
        self.fields["priorities"].queryset = Priority.objects.filter(network=network, is_active=True)
        if fixed_psychologist is not None:
            self.fields["psychologist"].initial = fixed_psychologist.pk
            self.fields["psychologist"].disabled = True
        self.helper = PortalFormHelper(_("Record the clairvision"))
        self.helper.layout = Layout(
            HTML('{% include "care_offer/_clairvision_notice.html" %}'),
            "held_on", "place", "place_text", "format", "participants", Div("themes", css_class="checkbox-columns"),
            "themes_other", "psychologist", "priorities")

    def clean(self):
        data = super().clean()
        if not data.get("place") and not (data.get("place_text") or "").strip():
            self.add_error("place_text", _("Choose the place or describe it."))
        if data.get("format") == ClairvisionFormat.INDIVIDUAL and data.get("participants") not in (None, 1):
            self.add_error("participants", _("An individual clairvision has one participant."))
        if data.get("held_on") and data["held_on"] > timezone.localdate():
            self.add_error("held_on", _("A clairvision is recorded once it took place: the date is in the future."))
        if not data.get("themes") and not (data.get("themes_other") or "").strip():
            self.add_error("themes", _("Give at least one theme."))
        return data


class OverrideForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.none())
    eligible = forms.TypedChoiceField(label=_("Sessions at this place count as outreaching"),
                                      choices=[("1", _("yes")), ("0", _("no"))], coerce=lambda v: v == "1",
                                      widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("E.g. “service de santé mentale recorded with the type ‘other’”."))

    def __init__(self, *args, network, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(network=network).order_by("name")
        self.helper = _helper(_("Save"))


class ConditionForm(forms.Form):
    conditions = forms.CharField(label=_("Conditions recorded by the network"), max_length=8000,
                                 widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Save"))
