"""Forms of the partnership pages. The public form asks only what a coordinator needs and no health data about
persons; every value typed is kept when the form comes back with a message."""
import re
import time
from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Fieldset, Layout, Submit
from django import forms
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum.be import vat
from stdnum.exceptions import ValidationError as StdnumError

from psynet.models import AgeGroup as CoreAgeGroup
from psynet.models import Language, Network, Organisation, Psychologist, User, Zone

from . import conf, municipalities
from .choices import (
    ARTICLE8_OFFERS,
    CO_APPLICANT_ROWS,
    PLACE_TYPES,
    AgeGroup,
    Article8Mission,
    CoFacilitator,
    ContactChannel,
    EmployInterest,
    HoursUnit,
    Modality,
    Offer,
    Outcome,
    OwnProvider,
    Party,
    Problem,
    Support,
    VulnerableGroup,
)
from .models import FinancialProjection, PartnershipSettings

STARTED_SALT = "partnerships.form.started"
PHONE = re.compile(r"^\+?[0-9 ./()\-]{8,20}$")


def sign_started(now=None):
    return signing.dumps(now if now is not None else time.time(), salt=STARTED_SALT)


class SpamSuspected(Exception):
    """The honeypot was filled: answer as if all went well, keep nothing."""


class PublicRequestForm(forms.Form):
    network = forms.ModelChoiceField(
        label=_("Network"), queryset=Network.objects.order_by("code"), to_field_name="code", required=False,
        empty_label=_("I do not know: the portal chooses from the public and the municipality"),
        help_text=_("If you received a link from a network, it is already chosen."))
    organisation_name = forms.CharField(label=_("Name of the organisation"), max_length=200)
    place_type = forms.ChoiceField(label=_("Type of place"), choices=[("", "—")] + PLACE_TYPES)
    place_type_other = forms.CharField(label=_("Other type of place: which one?"), max_length=200, required=False)
    enterprise_number = forms.CharField(
        label=_("Enterprise number (optional)"), max_length=20, required=False,
        help_text=_("BCE/KBO, ten digits, e.g. 0403.170.701."))
    address = forms.CharField(label=_("Address (street and number, optional)"), max_length=200, required=False)
    municipality_text = forms.CharField(
        label=_("Municipality: postal code or name"), max_length=120,
        widget=forms.TextInput(attrs={"autocomplete": "off", "list": "municipality-options"}),
        help_text=_("Type a few letters or digits and choose a suggestion."))
    contact_name = forms.CharField(label=_("Contact person"), max_length=200)
    contact_role = forms.CharField(label=_("Function (optional)"), max_length=200, required=False)
    contact_email = forms.EmailField(label=_("E-mail address"), max_length=254,
                                     help_text=_("The acknowledgement and your private link are sent here."))
    contact_phone = forms.CharField(label=_("Phone (optional)"), max_length=30, required=False)
    age_groups = forms.MultipleChoiceField(
        label=_("Ages of the public you work with"), choices=AgeGroup.choices, widget=forms.CheckboxSelectMultiple,
        help_text=_("The children and adolescents network serves people up to 23, the adults network from 15."))
    vulnerable_groups = forms.MultipleChoiceField(
        label=_("Vulnerable groups among your public (optional)"), choices=VulnerableGroup.choices,
        widget=forms.CheckboxSelectMultiple, required=False)
    vulnerable_other = forms.CharField(label=_("Other groups (optional)"), max_length=300, required=False)
    needs = forms.CharField(
        label=_("Your needs"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What do you observe, what would help your public or your team? Do not write anything about "
                    "an identifiable person or their health."))
    offers = forms.MultipleChoiceField(label=_("What you would like"), choices=Offer.choices,
                                       widget=forms.CheckboxSelectMultiple)
    # The partner questionnaire (seed 004): all optional, so a short request stays short.
    problems = forms.MultipleChoiceField(
        label=_("Problems you meet with your public (optional)"), choices=Problem.choices,
        widget=forms.CheckboxSelectMultiple, required=False,
        help_text=_("In general terms: nothing about an identifiable person."))
    problems_other = forms.CharField(label=_("Other problems: which ones? (optional)"), max_length=300,
                                     required=False)
    has_own_provider = forms.ChoiceField(
        label=_("Does your service have its own care or aid provider?"), required=False,
        choices=[("", _("not answered"))] + OwnProvider.choices, widget=forms.RadioSelect,
        help_text=_("A co-consultation is held by the psychologist together with a care or aid provider of your "
                    "service: without one, a co-consultation cannot be chosen (advice about a person, a team "
                    "meeting or a shared weekly hour remain possible)."))
    support_wanted = forms.MultipleChoiceField(
        label=_("Support wanted for your team (optional)"), choices=Support.choices,
        widget=forms.CheckboxSelectMultiple, required=False)
    support_themes = forms.CharField(
        label=_("Themes you would like to work on (optional)"), max_length=2000, required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("E.g. recognising mental-health problems and talking about them, interview techniques, "
                    "sleep, rumination, resilience."))
    availability = forms.CharField(
        label=_("Availability (optional)"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Days, hours, a room where a psychologist could work…"))
    employ_interest = forms.ChoiceField(label=_("Would you consider employing a conventioned psychologist?"),
                                        choices=EmployInterest.choices, initial=EmployInterest.NO,
                                        widget=forms.RadioSelect)
    consent = forms.BooleanField(
        label=_("I have read the privacy notice and agree that the network keeps these data to handle my request."),
        error_messages={"required": _("Your agreement with the privacy notice is needed to send the request.")})
    # Spam defences: a field people do not see, and the time the form was opened (signed).
    website = forms.CharField(label=_("Leave this field empty"), required=False, max_length=200)
    started = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, preselected=None, offer="", **kwargs):
        super().__init__(*args, **kwargs)
        if preselected is not None and not self.is_bound:
            self.initial["network"] = preselected.code
        if offer == "article8" and not self.is_bound:
            self.initial["offers"] = [o.value for o in ARTICLE8_OFFERS]
        if not self.is_bound:
            self.initial["started"] = sign_started()
        place_choices = [("", "—")] + PLACE_TYPES
        co_rows = []
        for i in range(1, CO_APPLICANT_ROWS + 1):
            self.fields[f"co{i}_name"] = forms.CharField(
                label=_("Service %(n)s: name") % {"n": i}, max_length=200, required=False)
            self.fields[f"co{i}_place_type"] = forms.ChoiceField(
                label=_("Service %(n)s: type of place") % {"n": i}, choices=place_choices, required=False)
            self.fields[f"co{i}_contact"] = forms.CharField(
                label=_("Service %(n)s: contact person, e-mail or phone") % {"n": i}, max_length=200,
                required=False)
            co_rows.append(Div(Div(f"co{i}_name", css_class="col-md-4"), Div(f"co{i}_place_type", css_class="col-md-3"),
                               Div(f"co{i}_contact", css_class="col-md-5"), css_class="row co-applicant"))
        self.refreshed = False
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(_("Your organisation"), "network", "organisation_name", "place_type", "place_type_other",
                     "enterprise_number", "address",
                     Field("municipality_text", hx_get=reverse("collaboration:municipality_suggestions"),
                           hx_trigger="input changed delay:250ms", hx_target="#municipality-options",
                           hx_swap="innerHTML", hx_sync="this:replace"),
                     HTML('<datalist id="municipality-options"></datalist>')),
            Fieldset(_("Contact person"), "contact_name", "contact_role", "contact_email", "contact_phone"),
            Fieldset(_("Your public"), Div("age_groups", css_class="checkbox-columns"),
                     Div("vulnerable_groups", css_class="checkbox-columns"), "vulnerable_other"),
            Fieldset(_("Your request"), "needs", Div("offers", css_class="checkbox-columns"),
                     HTML('{% include "care_offer/_clairvision_notice.html" %}'),
                     "availability", "employ_interest"),
            Fieldset(_("Support for your team (optional)"),
                     Div("problems", css_class="checkbox-columns"), "problems_other",
                     Field("has_own_provider", data_own_provider="1"),
                     Div("support_wanted", css_class="checkbox-columns"), "support_themes"),
            Fieldset(_("Other services asking with you (optional)"),
                     HTML('<p class="form-text">{% load i18n %}{% translate "Several services may ask together, e.g. '
                          'for a weekly hour they share. For each: its name, type and a contact." %}</p>'),
                     *co_rows),
            Div(Field("website", tabindex="-1", autocomplete="off"), css_class="form-extra", aria_hidden="true"),
            "started",
            Fieldset(_("Privacy"), HTML('{% include "partnerships/public/_privacy_short.html" %}'), "consent"),
            Submit("submit", _("Send the request")),
        )

    def clean_enterprise_number(self):
        value = self.cleaned_data["enterprise_number"].strip()
        if not value:
            return ""
        try:
            return vat.validate(value)
        except StdnumError:
            raise forms.ValidationError(_("This enterprise number is not valid: ten digits, e.g. 0403.170.701."),
                                        code="invalid") from None

    def clean_contact_phone(self):
        value = self.cleaned_data["contact_phone"].strip()
        if value and not PHONE.match(value):
            raise forms.ValidationError(_("Enter a phone number with digits, e.g. 081 12 34 56."), code="invalid")
        return value

    def clean_municipality_text(self):
        value = " ".join(self.cleaned_data["municipality_text"].split())
        try:
            self.cleaned_data["municipality"] = municipalities.find(value)
        except municipalities.MunicipalityNotFound as exc:
            raise forms.ValidationError(exc.message, code="unknown") from None
        return value

    def clean_age_groups(self):
        value = self.cleaned_data["age_groups"]
        if AgeGroup.UNSURE in value and len(value) > 1:
            value = [v for v in value if v != AgeGroup.UNSURE]
        return value

    def clean(self):
        data = super().clean()
        if data.get("website"):
            raise SpamSuspected
        if data.get("place_type") == "other" and not data.get("place_type_other"):
            self.add_error("place_type_other", _("Say which type of place."))
        if data.get("place_type") != "other":
            data["place_type_other"] = ""
        self._clean_questionnaire(data)
        try:
            started = signing.loads(data.get("started") or "", salt=STARTED_SALT, max_age=conf.form_max_age_seconds())
        except signing.BadSignature:
            self._refresh(_("This form was open for a long time: check your answers and send it again."))
        else:
            if time.time() - float(started) < conf.min_fill_seconds():
                self._refresh(_("The form was sent very quickly: check your answers and send it again."))
        return data

    CO_CONSULTATION_REFUSED = _(
        "A co-consultation is held together with a care or aid provider of your service, and you answered that "
        "your service has none: untick it, or choose advice about a person, a team meeting or a shared weekly "
        "hour.")

    def _clean_questionnaire(self, data):
        if Problem.OTHER not in (data.get("problems") or []) and not data.get("problems_other"):
            data["problems_other"] = ""
        if data.get("has_own_provider") == OwnProvider.NO:
            if Support.CO_CONSULTATION in (data.get("support_wanted") or []):
                self.add_error("support_wanted", self.CO_CONSULTATION_REFUSED)
            if Offer.ART8_COCONSULTATION in (data.get("offers") or []):
                self.add_error("offers", self.CO_CONSULTATION_REFUSED)
        rows = []
        for i in range(1, CO_APPLICANT_ROWS + 1):
            name = (data.get(f"co{i}_name") or "").strip()
            place_type = data.get(f"co{i}_place_type") or ""
            contact = (data.get(f"co{i}_contact") or "").strip()
            if not (name or place_type or contact):
                continue
            if not name:
                self.add_error(f"co{i}_name", _("Give the name of this service."))
            if not place_type:
                self.add_error(f"co{i}_place_type", _("Choose the type of this service."))
            rows.append({"name": name, "place_type": place_type, "contact": contact})
        data["co_applicants"] = rows

    def _refresh(self, message):
        """Refuse once with a new start time; the typed values are kept."""
        self.refreshed = True
        self.data = self.data.copy()
        self.data["started"] = sign_started()
        self.add_error(None, message)

    def request_data(self):
        data = dict(self.cleaned_data)
        data.pop("network", None)
        for key in ("consent", "website", "started"):
            data.pop(key, None)
        for i in range(1, CO_APPLICANT_ROWS + 1):
            for part in ("name", "place_type", "contact"):
                data.pop(f"co{i}_{part}", None)
        return data


class PartnerMessageForm(forms.Form):
    body = forms.CharField(label=_("Your message"), max_length=5000, required=False,
                           widget=forms.Textarea(attrs={"rows": 4}),
                           help_text=_("Do not write anything about an identifiable person or their health."))
    file = forms.FileField(label=_("A file (optional)"), required=False,
                           help_text=_("PDF, image or office document, 10 MB at most."))


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Why do you withdraw the request? (optional)"), max_length=2000, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))
    confirm = forms.BooleanField(label=_("I withdraw my request"))


# ---- coordinators -------------------------------------------------------------------------------------


class AssignForm(forms.Form):
    coordinator = forms.ModelChoiceField(label=_("Coordinator"), queryset=User.objects.none())

    def __init__(self, *args, coordinators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coordinator"].queryset = User.objects.filter(pk__in=[u.pk for u in coordinators])


class RouteForm(forms.Form):
    zones = forms.ModelMultipleChoiceField(label=_("Zones"), queryset=Zone.objects.none(),
                                           widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, network, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["zones"].queryset = Zone.objects.filter(network=network).order_by("name")


class TransferForm(forms.Form):
    to_network = forms.ModelChoiceField(label=_("Send to the network"), queryset=Network.objects.none())
    reason = forms.CharField(label=_("Why"), max_length=250)

    def __init__(self, *args, network, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_network"].queryset = Network.objects.exclude(pk=network.pk).order_by("code")


class PrioritiesForm(forms.Form):
    priorities = forms.ModelMultipleChoiceField(
        label=_("Network priorities"), queryset=Network.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, network, **kwargs):
        from .selectors import priority_choices

        super().__init__(*args, **kwargs)
        self.fields["priorities"].queryset = priority_choices(network)


class ContactForm(forms.Form):
    contact_on = forms.DateField(label=_("Date of the contact"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    channel = forms.ChoiceField(label=_("How"), choices=ContactChannel.choices)
    summary = forms.CharField(label=_("Summary"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact_on"].initial = timezone.localdate()


class NeedsForm(forms.Form):
    analysis = forms.CharField(label=_("Needs analysis"), max_length=20000, widget=forms.Textarea(attrs={"rows": 6}))


class CandidateFilterForm(forms.Form):
    zones = forms.ModelMultipleChoiceField(label=_("Zones"), queryset=Zone.objects.none(), required=False,
                                           widget=forms.CheckboxSelectMultiple)
    language = forms.ChoiceField(label=_("Language"), choices=[("", "—")] + list(Language.choices) + [("en", "English")],
                                 required=False)
    age_group = forms.ChoiceField(label=_("Age group"), choices=[("", "—")] + list(CoreAgeGroup.choices),
                                  required=False)
    function = forms.ChoiceField(label=_("Function"), required=False, choices=[
        ("", "—"), ("F1", _("F1 community interventions (groups)")), ("F2", _("F2 support")),
        ("F3", _("F3 treatment"))])
    min_article8_left = forms.DecimalField(label=_("Article 8 hours left at least"), required=False, min_value=0,
                                           max_digits=6, decimal_places=1)

    def __init__(self, *args, network, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["zones"].queryset = Zone.objects.filter(network=network).order_by("name")

    def filters(self, partnership_request):
        """The filters for selectors.psychologist_candidates: the request's zones, language and age group by
        default."""
        data = self.cleaned_data if self.is_valid() else {}
        zones = list(data.get("zones") or []) or None
        return {"zones": zones, "language": data.get("language") if self.is_bound else partnership_request.language,
                "age_group": data.get("age_group") or (partnership_request.network.kind
                                                       if partnership_request.network_id else None),
                "function": data.get("function") or ""}, data.get("min_article8_left")


class ProposeForm(forms.Form):
    psychologists = forms.ModelMultipleChoiceField(label=_("Psychologists to propose"),
                                                   queryset=Psychologist.objects.none(),
                                                   widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label=_("Message to the partner (optional)"), max_length=3000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["psychologists"].queryset = Psychologist.objects.filter(pk__in=[p.pk for p in candidates])


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Reason (sent to the partner)"), max_length=3000,
                             widget=forms.Textarea(attrs={"rows": 3}))


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[(Outcome.COMPLETED, Outcome.COMPLETED.label),
                                                             (Outcome.WITHDRAWN, Outcome.WITHDRAWN.label)])
    note = forms.CharField(label=_("Note"), max_length=3000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class EventForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=[("note", _("internal note")),
                                                       ("coordinator_message", _("message to the partner (e-mailed)"))])
    body = forms.CharField(label=_("Text"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    file = forms.FileField(label=_("A file (optional)"), required=False)


class ProjectionForm(forms.ModelForm):
    class Meta:
        model = FinancialProjection
        fields = ["hours_per_week", "weeks_per_year", "occupancy_percent", "session_fee", "annual_salary_cost",
                  "other_annual_costs", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}


class PartnershipSettingsForm(forms.ModelForm):
    class Meta:
        model = PartnershipSettings
        fields = ["retention_months", "link_validity_days", "session_fee"]


class GdprForm(forms.Form):
    email = forms.EmailField(label=_("Requester's e-mail address"))


class GdprEraseForm(GdprForm):
    confirm = forms.BooleanField(label=_("I confirm: this requester's data are erased and cannot be recovered."))


# ---- agreements ---------------------------------------------------------------------------------------


class AgreementForm(forms.Form):
    partner_name = forms.CharField(label=_("Partner organisation"), max_length=200)
    partner_enterprise_number = forms.CharField(label=_("Enterprise number"), max_length=20, required=False)
    partner_address = forms.CharField(label=_("Partner address"), max_length=200, required=False)
    partner_signatory_name = forms.CharField(label=_("Partner signatory"), max_length=200)
    partner_signatory_role = forms.CharField(label=_("Signatory's function"), max_length=200, required=False)
    partner_signatory_email = forms.EmailField(label=_("Signatory's e-mail"),
                                               help_text=_("The signing link and the one-time code are sent here."))
    psychologist = forms.ModelChoiceField(label=_("Psychologist"), queryset=Psychologist.objects.none())
    network_signatory = forms.ModelChoiceField(label=_("Network signatory"), queryset=User.objects.none())
    zone = forms.ModelChoiceField(label=_("Zone"), queryset=Zone.objects.none())
    language = forms.ChoiceField(label=_("Language of the text"), choices=Language.choices)
    starts_on = forms.DateField(label=_("Start"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    ends_on = forms.DateField(label=_("End"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    hours_per_period = forms.DecimalField(label=_("Hours"), min_value=Decimal("0.5"), max_digits=6, decimal_places=1)
    hours_unit = forms.ChoiceField(label=_("Per"), choices=HoursUnit.choices)
    total_hours = forms.DecimalField(label=_("Total hours over the period"), min_value=Decimal("0.5"), max_digits=7,
                                     decimal_places=1)
    modalities = forms.MultipleChoiceField(label=_("Modalities"), choices=Modality.choices, required=False,
                                           widget=forms.CheckboxSelectMultiple)
    organisation = forms.ModelChoiceField(
        label=_("Place recorded by the network (optional)"), queryset=Organisation.objects.none(), required=False,
        help_text=_("Individual sessions at the partner count as outreaching only at an eligible place: the "
                    "place chosen here, else the type of place of the request, is checked against the rule."))
    place_address = forms.CharField(label=_("Place (address)"), max_length=200, required=False)
    place_room = forms.CharField(label=_("Room"), max_length=200, required=False)
    target_public = forms.CharField(label=_("Target public"), max_length=3000, required=False,
                                    widget=forms.Textarea(attrs={"rows": 2}))
    age_groups = forms.MultipleChoiceField(label=_("Age groups"), choices=AgeGroup.choices[:-1], required=False,
                                           widget=forms.CheckboxSelectMultiple)
    co_facilitator_people = forms.ModelMultipleChoiceField(
        label=_("Group sessions co-facilitated with (recorded by the network)"), required=False,
        queryset=Organisation.objects.none(), widget=forms.CheckboxSelectMultiple,
        help_text=_("Partner staff, other professionals and experts by experience recorded in the care offer."))
    co_facilitators = forms.MultipleChoiceField(label=_("Other co-facilitators, not recorded: who they are"),
                                                required=False, choices=CoFacilitator.choices,
                                                widget=forms.CheckboxSelectMultiple)
    co_facilitator_names = forms.CharField(label=_("Other co-facilitators' names"), max_length=300, required=False)
    priorities = forms.ModelMultipleChoiceField(
        label=_("Network priorities"), required=False, queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple, help_text=_("Not part of the signed text."))
    conditions = forms.CharField(label=_("Conditions"), max_length=10000, required=False,
                                 widget=forms.Textarea(attrs={"rows": 4}))
    signing_order = forms.ChoiceField(label=_("Signing order"), choices=[])

    ORDERS = [
        [Party.PARTNER, Party.PSYCHOLOGIST, Party.NETWORK],
        [Party.PSYCHOLOGIST, Party.PARTNER, Party.NETWORK],
        [Party.NETWORK, Party.PARTNER, Party.PSYCHOLOGIST],
        [Party.PARTNER, Party.NETWORK, Party.PSYCHOLOGIST],
        [Party.PSYCHOLOGIST, Party.NETWORK, Party.PARTNER],
        [Party.NETWORK, Party.PSYCHOLOGIST, Party.PARTNER],
    ]

    def __init__(self, *args, network, psychologists, signatories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["psychologist"].queryset = Psychologist.objects.filter(pk__in=[p.pk for p in psychologists])
        self.fields["network_signatory"].queryset = User.objects.filter(pk__in=[u.pk for u in signatories])
        self.fields["zone"].queryset = Zone.objects.filter(network=network).order_by("name")
        from care_offer.selectors import co_facilitators_in

        from .selectors import priority_choices

        self.fields["organisation"].queryset = Organisation.objects.filter(network=network).order_by("name")
        self.fields["co_facilitator_people"].queryset = co_facilitators_in(network)
        self.fields["priorities"].queryset = priority_choices(network)
        self.fields["signing_order"].choices = [
            (",".join(order), " → ".join(str(Party(p).label) for p in order)) for order in self.ORDERS]
        for mission in Article8Mission:
            self.fields[f"art8_{mission.value}"] = forms.DecimalField(
                label=_("Article 8: %(mission)s (hours)") % {"mission": mission.label}, required=False,
                min_value=0, max_digits=6, decimal_places=1)

    def clean_partner_enterprise_number(self):
        value = self.cleaned_data["partner_enterprise_number"].strip()
        if not value:
            return ""
        try:
            return vat.validate(value)
        except StdnumError:
            raise forms.ValidationError(_("This enterprise number is not valid: ten digits, e.g. 0403.170.701."),
                                        code="invalid") from None

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("The end comes before the start."))
        article8 = {m.value: str(data.get(f"art8_{m.value}")) for m in Article8Mission if data.get(f"art8_{m.value}")}
        if not data.get("modalities") and not article8:
            self.add_error("modalities", _("Choose at least one modality or give article 8 hours."))
        return data

    def terms(self):
        data = self.cleaned_data
        terms = {k: data[k] for k in ["partner_name", "partner_enterprise_number", "partner_address",
                                      "partner_signatory_name", "partner_signatory_role", "partner_signatory_email",
                                      "psychologist", "network_signatory", "zone", "language", "starts_on", "ends_on",
                                      "hours_per_period", "hours_unit", "total_hours", "modalities", "place_address",
                                      "place_room", "target_public", "age_groups", "co_facilitators",
                                      "co_facilitator_names", "conditions", "organisation"]}
        terms["co_facilitator_ids"] = sorted(c.pk for c in data.get("co_facilitator_people") or [])
        terms["signing_order"] = data["signing_order"].split(",")
        terms["article8_hours"] = {m.value: str(data[f"art8_{m.value}"]) for m in Article8Mission
                                   if data.get(f"art8_{m.value}")}
        return terms

    def chosen_priorities(self):
        return list(self.cleaned_data.get("priorities") or [])

    @classmethod
    def initial_from(cls, agreement):
        from .selectors import priorities_of

        initial = {k: getattr(agreement, k) for k in [
            "partner_name", "partner_enterprise_number", "partner_address", "partner_signatory_name",
            "partner_signatory_role", "partner_signatory_email", "language", "starts_on", "ends_on",
            "hours_per_period", "hours_unit", "total_hours", "modalities", "place_address", "place_room",
            "target_public", "age_groups", "co_facilitators", "co_facilitator_names", "conditions"]}
        initial.update(psychologist=agreement.psychologist_id, network_signatory=agreement.network_signatory_id,
                       zone=agreement.zone_id, signing_order=",".join(agreement.order),
                       organisation=agreement.organisation_id,
                       co_facilitator_people=list(agreement.co_facilitator_ids or []),
                       priorities=[p.pk for p in priorities_of(agreement)])
        for key, value in (agreement.article8_hours or {}).items():
            initial[f"art8_{key}"] = value
        return initial

    @classmethod
    def initial_from_request(cls, partnership_request, network):
        from .selectors import priorities_of

        offers = set(partnership_request.offers)
        modalities = [m for m, o in [(Modality.INDIVIDUAL, Offer.OUTREACHING), (Modality.GROUP, Offer.GROUP),
                                     (Modality.HOME, Offer.HOME), (Modality.VIDEO, Offer.VIDEO),
                                     (Modality.CLAIRVISION, Offer.CLAIRVISION)] if o in offers]
        start = timezone.localdate()
        place = ", ".join(x for x in [partnership_request.address,
                                      partnership_request.municipality.name if partnership_request.municipality
                                      else partnership_request.municipality_text] if x)
        zone = partnership_request.zones.first()
        proposal = partnership_request.proposals.first()
        groups = [g for g in partnership_request.age_groups if g != AgeGroup.UNSURE]
        initial = {
            "partner_name": partnership_request.organisation_name,
            "partner_enterprise_number": partnership_request.enterprise_number,
            "partner_address": place, "partner_signatory_name": partnership_request.contact_name,
            "partner_signatory_role": partnership_request.contact_role,
            "partner_signatory_email": partnership_request.contact_email,
            "language": partnership_request.language, "starts_on": start,
            "ends_on": start.replace(year=start.year + 1) if not (start.month == 2 and start.day == 29)
            else start.replace(year=start.year + 1, day=28),
            "hours_unit": HoursUnit.WEEK, "modalities": modalities, "place_address": place,
            "age_groups": groups,
            "target_public": ", ".join(str(x) for x in partnership_request.get_vulnerable_group_labels()),
            "zone": zone.pk if zone else None, "signing_order": ",".join(cls.ORDERS[0]),
            "psychologist": proposal.psychologist_id if proposal else None,
            "priorities": [p.pk for p in priorities_of(partnership_request)],
        }
        mapping = dict(zip(ARTICLE8_OFFERS, [Article8Mission.PLACE, Article8Mission.ADVICE,
                                             Article8Mission.COCONSULTATION, Article8Mission.KNOWLEDGE], strict=True))
        for offer, mission in mapping.items():
            if offer in offers:
                initial[f"art8_{mission.value}"] = Decimal(10)
        return initial


class SignForm(forms.Form):
    name = forms.CharField(label=_("Your full name"), max_length=200)
    text_sha256 = forms.CharField(widget=forms.HiddenInput, max_length=64)
    agree = forms.BooleanField(label=_("I have read the text above and sign it."))


class PartnerSignForm(SignForm):
    code = forms.CharField(label=_("The code received by e-mail"), max_length=12,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}))


class AgreementDeclineForm(forms.Form):
    reason = forms.CharField(label=_("Why do you decline?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class TerminateForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the termination"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))
