import datetime as dt

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from psynet.models import Organisation, OrganisationKind, Psychologist, Zone

from .models import (
    AccreditationStatus, Article8Settings, ContactHour, MissionType, PlanStatus,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def _helper(label, form_id=None):
    helper = FormHelper()
    helper.add_input(Submit("submit", label))
    if form_id:
        helper.form_id = form_id
    return helper


class VersionedForm(forms.Form):
    """A hidden version: a stale form is refused instead of overwriting someone else's change."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class MissionPrioritiesForm(VersionedForm):
    """The network priorities a mission carries, changed after its creation."""

    priorities = forms.ModelMultipleChoiceField(
        label=_("Network priorities"), queryset=Organisation.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_("The network's priorities this mission serves, if any."))

    def __init__(self, *args, network, current=(), **kwargs):
        from django.db.models import Q

        from care_offer.selectors import priorities_in

        super().__init__(*args, **kwargs)
        self.fields["priorities"].queryset = priorities_in(network, include_inactive=True).filter(
            Q(is_active=True) | Q(pk__in=[p.pk for p in current])).order_by("name_fr")
        self.helper = _helper(_("Save the priorities"), "mission-priorities-form")


class MissionRequestForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Place"), queryset=Organisation.objects.none(), required=False,
                                          help_text=_("A place known to the network, or name a new one below."))
    place_name = forms.CharField(label=_("Place name (if not in the list)"), max_length=200, required=False)
    place_kind = forms.ChoiceField(label=_("Place type"), choices=[("", "---------")] + OrganisationKind.choices,
                                   required=False)
    zone = forms.ModelChoiceField(label=_("Zone"), queryset=Zone.objects.none(), required=False)
    mission_type = forms.ChoiceField(label=_("Mission type"), choices=MissionType.choices)
    description = forms.CharField(label=_("What is asked"), widget=forms.Textarea(attrs={"rows": 4}))
    contact_name = forms.CharField(label=_("Contact person"), max_length=200, required=False)
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)
    priorities = forms.ModelMultipleChoiceField(
        label=_("Network priorities"), queryset=Organisation.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_("The network's priorities this mission serves, if any."))

    def __init__(self, *args, network, propose=False, **kwargs):
        from care_offer.selectors import priorities_in

        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(network=network).order_by("name")
        self.fields["zone"].queryset = Zone.objects.filter(network=network)
        self.fields["priorities"].queryset = priorities_in(network).order_by("name_fr")
        if not self.fields["priorities"].queryset.exists():
            del self.fields["priorities"]
        if propose:
            self.fields["organisation"].required = True
            self.fields["organisation"].help_text = ""
            for name in ("place_name", "place_kind", "zone", "contact_name", "contact_email"):
                del self.fields[name]
        self.helper = _helper(_("Propose the mission") if propose else _("Record the request"), "mission-form")

    def clean(self):
        data = super().clean()
        if "place_name" in self.fields and not data.get("organisation"):
            if not data.get("place_name"):
                self.add_error("place_name", _("Choose a place or give its name."))
            if not data.get("place_kind"):
                self.add_error("place_kind", _("Give the type of place."))
        return data


class ApproveForm(VersionedForm):
    psychologist = forms.ModelChoiceField(label=_("Psychologist"), queryset=Psychologist.objects.none())
    hours = forms.DecimalField(label=_("Hours approved"), max_digits=6, decimal_places=2, min_value=0.25,
                               max_value=500, localize=True)
    start_on = forms.DateField(label=_("From"), widget=DATE)
    end_on = forms.DateField(label=_("Until"), widget=DATE)
    override_reason = forms.CharField(
        label=_("Reason for exceeding the contract hours (network coordinator only)"), required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Leave empty unless you knowingly plan this psychologist beyond their article 8 hours."))

    def __init__(self, *args, psychologists, can_override, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["psychologist"].queryset = psychologists
        if not can_override:
            del self.fields["override_reason"]
        self.helper = _helper(_("Approve"), "approve-form")

    def clean(self):
        data = super().clean()
        if data.get("start_on") and data.get("end_on") and data["end_on"] < data["start_on"]:
            self.add_error("end_on", _("The end date is before the start date."))
        return data


class RefuseForm(VersionedForm):
    reason = forms.CharField(label=_("Reason for the refusal"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Refuse"), "refuse-form")


class PlanForm(VersionedForm):
    planning_note = forms.CharField(label=_("What is planned"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Mark planned"), "plan-form")


class ActivityForm(VersionedForm):
    date = forms.DateField(label=_("Date"), widget=DATE)
    hours = forms.DecimalField(label=_("Duration (hours)"), max_digits=5, decimal_places=2, localize=True)
    mission_type = forms.ChoiceField(label=_("Mission type"), choices=MissionType.choices)
    is_remote = forms.TypedChoiceField(label=_("Where"), coerce=lambda v: v == "1",
                                       choices=[("0", _("on site")), ("1", _("remote"))], widget=forms.RadioSelect,
                                       initial="0")
    participants = forms.IntegerField(label=_("Number of participants"), min_value=1, max_value=500, initial=1)
    theme = forms.CharField(label=_("Theme"), max_length=200)
    accreditation_requested = forms.BooleanField(label=_("Accreditation requested (group of GPs)"),
                                                 required=False)
    accreditation_status = forms.ChoiceField(label=_("Accreditation status"), choices=AccreditationStatus.choices,
                                             initial=AccreditationStatus.NOT_REQUESTED)
    override_reason = forms.CharField(
        label=_("Reason for exceeding the contract hours (network coordinator only)"), required=False,
        widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, gp_group, can_override, **kwargs):
        super().__init__(*args, **kwargs)
        if not gp_group:
            del self.fields["accreditation_requested"]
            del self.fields["accreditation_status"]
        if not can_override:
            del self.fields["override_reason"]
        self.helper = _helper(_("Log the activity"), "activity-form")


class ContactHourForm(VersionedForm):
    psychologist = forms.ModelChoiceField(label=_("Psychologist"), queryset=Psychologist.objects.none())
    weekday = forms.TypedChoiceField(label=_("Day"), coerce=int, choices=ContactHour._meta.get_field("weekday").choices)
    starts_at = forms.TimeField(label=_("From"), widget=TIME)
    ends_at = forms.TimeField(label=_("Until"), widget=TIME)
    mode = forms.ChoiceField(label=_("How"), choices=ContactHour._meta.get_field("mode").choices)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    organisation = forms.ModelChoiceField(label=_("Place (open door)"), queryset=Organisation.objects.none(),
                                          required=False)
    languages = forms.CharField(label=_("Languages"), max_length=20, initial="fr", help_text=_("e.g. fr or fr,nl"))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
    is_active = forms.BooleanField(label=_("Published on the public page"), required=False, initial=True)

    def __init__(self, *args, network, psychologists, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["psychologist"].queryset = psychologists
        self.fields["organisation"].queryset = Organisation.objects.filter(network=network).order_by("name")
        self.helper = _helper(_("Save"), "contact-hour-form")

    def clean(self):
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", _("The contact hour ends after it starts."))
        return data


class OfferForm(VersionedForm):
    mission_type = forms.ChoiceField(label=_("Mission type"), choices=MissionType.choices)
    place_kinds = forms.MultipleChoiceField(label=_("For place types (none: all)"), choices=OrganisationKind.choices,
                                            required=False, widget=forms.CheckboxSelectMultiple)
    description_fr = forms.CharField(label=_("Description (French)"), widget=forms.Textarea(attrs={"rows": 3}))
    description_nl = forms.CharField(label=_("Description (Dutch)"), widget=forms.Textarea(attrs={"rows": 3}))
    is_published = forms.BooleanField(label=_("Published"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Save"), "offer-form")


class ObjectiveForm(forms.Form):
    title = forms.CharField(label=_("Objective"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Add the objective"), "objective-form")


class PlanActionForm(VersionedForm):
    title = forms.CharField(label=_("Action"), max_length=200)
    owner = forms.CharField(label=_("Owner"), max_length=200)
    deadline = forms.DateField(label=_("Deadline"), widget=DATE)
    status = forms.ChoiceField(label=_("Status"), choices=PlanStatus.choices, initial=PlanStatus.TODO)
    review_note = forms.CharField(label=_("Review note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Save"), "plan-action-form")


class AllocationRequestForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Place"), queryset=Organisation.objects.none())
    amount_requested = forms.DecimalField(label=_("Amount requested (EUR)"), max_digits=10, decimal_places=2,
                                          min_value=0.01, localize=True)
    reason = forms.CharField(label=_("Why the activity cannot start"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, network, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(network=network).order_by("name")
        self.helper = _helper(_("Record the request"), "allocation-form")


class AllocationDecisionForm(VersionedForm):
    decision = forms.ChoiceField(label=_("Decision"), choices=[("grant", _("grant")), ("refuse", _("refuse"))],
                                 widget=forms.RadioSelect)
    amount_granted = forms.DecimalField(label=_("Amount granted (EUR)"), max_digits=10, decimal_places=2,
                                        min_value=0, required=False, localize=True)
    note = forms.CharField(label=_("Decision note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Record the decision"), "allocation-decision-form")


class AllocationPaidForm(VersionedForm):
    paid_on = forms.DateField(label=_("Paid on"), widget=DATE, initial=timezone.localdate)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Mark paid"), "allocation-paid-form")


class BudgetForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2024, max_value=2100)
    amount = forms.DecimalField(label=_("Yearly article 8 budget (EUR)"), max_digits=12, decimal_places=2,
                                min_value=0, localize=True)
    hourly_amount = forms.DecimalField(label=_("Amount per hour (EUR)"), max_digits=8, decimal_places=2,
                                       min_value=0.01, localize=True)
    effective_from = forms.DateField(label=_("Effective from"), widget=DATE)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = dt.date.today().year
        self.helper = _helper(_("Add the budget"), "budget-form")


class SettingsForm(forms.Form):
    decision_roles = forms.MultipleChoiceField(label=_("Who may approve or refuse a request"),
                                               choices=Article8Settings.DECIDER_CHOICES,
                                               widget=forms.CheckboxSelectMultiple)
    behind_pace_margin = forms.IntegerField(label=_("Behind-pace margin (percentage points)"), min_value=0,
                                            max_value=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Save"), "settings-form")


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2024, max_value=2100, required=False)



class PlacePlanForm(forms.Form):
    psychologist = forms.ModelChoiceField(label=_("Psychologist"), queryset=Psychologist.objects.none())
    organisation = forms.ModelChoiceField(label=_("Place"), queryset=Organisation.objects.none())
    hours = forms.DecimalField(label=_("Article 8 hours planned at this place"), max_digits=6, decimal_places=2,
                               min_value=0, max_value=500, localize=True,
                               help_text=_("0 removes the place from the plan."))

    def __init__(self, *args, network, psychologists, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["psychologist"].queryset = psychologists
        self.fields["organisation"].queryset = Organisation.objects.filter(network=network).order_by("name")
        self.helper = _helper(_("Save the plan"), "place-plan-form")
