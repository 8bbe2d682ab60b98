from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from psynet.models import Function

from . import selectors
from .models import AssessmentOutcome, Format, Setting
from .rules import RuleBook


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


class _NetworkForm(forms.Form):
    def __init__(self, *args, network, own_psychologist=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.network = network
        self.own_psychologist = own_psychologist
        if "psychologist" in self.fields:
            if own_psychologist is not None:
                del self.fields["psychologist"]
            else:
                self.fields["psychologist"].queryset = selectors.psychologists_in(network)
        if "place" in self.fields:
            self.fields["place"].queryset = selectors.places_in(network)

    def clean(self):
        data = super().clean()
        if self.own_psychologist is not None:
            data["psychologist"] = self.own_psychologist
        if data.get("setting") == Setting.OUTREACH and not data.get("place"):
            self.add_error("place", _("An outreaching session needs the partner place."))
        return data


# The 2024 model's functions first: the 2021 model only serves sessions before 1 April 2024.
CURRENT_FUNCTIONS_FIRST = [c for c in Function.choices if c[0] in ("F1", "F2", "F3")] + [
    c for c in Function.choices if c[0] not in ("F1", "F2", "F3")]


class SessionForm(_NetworkForm):
    psychologist = forms.ModelChoiceField(label=_("Psychologist"), queryset=None)
    national_number = forms.CharField(
        label=_("National number (NISS/INSZ)"), max_length=20,
        help_text=_("11 digits, NN or BIS. Only a keyed hash is stored, never the number."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}))
    date = forms.DateField(label=_("Session date"), widget=DateInput())
    function = forms.ChoiceField(label=_("Model and function"), choices=CURRENT_FUNCTIONS_FIRST, initial=Function.F2,
                                 help_text=_("2021 model (first-line / specialised) before 1 April 2024, "
                                             "F1/F2/F3 from then."))
    setting = forms.ChoiceField(label=_("Setting"), choices=Setting.choices)
    place = forms.ModelChoiceField(label=_("Partner place (outreaching)"), queryset=None, required=False)
    is_bim = forms.BooleanField(label=_("Increased reimbursement (BIM) on that date"), required=False)
    eating_disorder_path = forms.BooleanField(
        label=_("Within the eating-disorder care path"), required=False,
        help_text=_("The patient is followed in the network's care path for eating disorders (counted for the "
                    "annual report)."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Register the session"), "session-form")


class GroupSessionForm(_NetworkForm):
    psychologist = forms.ModelChoiceField(label=_("Conventioned psychologist"), queryset=None)
    co_psychologist = forms.ModelChoiceField(label=_("Second facilitator: conventioned psychologist"),
                                             queryset=None, required=False)
    co_facilitator = forms.CharField(label=_("Second facilitator: other professional or expert by experience"),
                                     max_length=200, required=False)
    date = forms.DateField(label=_("Session date"), widget=DateInput())
    function = forms.ChoiceField(label=_("Model and function"), choices=CURRENT_FUNCTIONS_FIRST, initial=Function.F2)
    setting = forms.ChoiceField(label=_("Setting"), choices=Setting.choices)
    place = forms.ModelChoiceField(label=_("Partner place (outreaching)"), queryset=None, required=False)
    fee_code = forms.ChoiceField(label=_("Group fee variant"))
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=1)
    participants = forms.CharField(
        label=_("Participants"), required=False, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One national number per line; add “bim” after the number for increased reimbursement. "
                    "Leave empty for an F1 community session."))
    head_count = forms.IntegerField(label=_("Head count (F1 community session)"), min_value=0, required=False)
    eating_disorder_path = forms.BooleanField(
        label=_("A group of the eating-disorder care path"), required=False,
        help_text=_("Its participants are followed in the network's care path for eating disorders (counted for "
                    "the annual report)."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["co_psychologist"].queryset = selectors.psychologists_in(self.network)
        book = RuleBook.load()
        today = timezone.localdate()
        self.fields["fee_code"].choices = [(f.code, f"{f.label} ({f.amount_eur} €)") for f in book.fees
                                           if f.unit == "group_session" and f.in_force_on(today)]
        try:
            self.fields["duration_minutes"].initial = book.int_parameter("GROUP_DURATION_MINUTES", today)
        except Exception:  # no parameter loaded yet: the field stays empty
            pass
        self.helper = _helper(_("Register the group session"), "group-form")

    def clean_participants(self):
        rows = []
        for line in self.cleaned_data["participants"].splitlines():
            parts = line.replace(";", " ").replace(",", " ").split()
            if not parts:
                continue
            rows.append(("".join(p for p in parts if p.lower() not in ("bim", "yes")),
                         any(p.lower() in ("bim", "yes") for p in parts[1:])))
        return rows


class ExtensionForm(forms.Form):
    national_number = forms.CharField(label=_("National number (NISS/INSZ)"), max_length=20,
                                      widget=forms.TextInput(attrs={"autocomplete": "off"}))
    function = forms.ChoiceField(label=_("Function"), choices=Function.choices)
    format = forms.ChoiceField(label=_("Format"), choices=Format.choices)
    valid_from = forms.DateField(label=_("Valid from"), widget=DateInput())
    valid_to = forms.DateField(label=_("Valid to"), widget=DateInput())
    extra_sessions = forms.IntegerField(label=_("Extra sessions"), min_value=1)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Grant the extension"), "extension-form")


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file (UTF-8)"),
                           help_text=_("Columns: national_number, session_date, psychologist_inami, function, "
                                       "format, setting, bim, group_ref, fee_variant."))
    dry_run = forms.BooleanField(label=_("Check only (write nothing)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Import"), "import-form")
        self.helper.form_enctype = "multipart/form-data"


class StatementForm(_NetworkForm):
    psychologist = forms.ModelChoiceField(label=_("Psychologist"), queryset=None)
    month = forms.DateField(label=_("Month"), input_formats=["%Y-%m"],
                            widget=forms.DateInput(format="%Y-%m", attrs={"type": "month"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Generate the statement"), "statement-form")

    def clean_month(self):
        month = self.cleaned_data["month"].replace(day=1)
        if month > timezone.localdate():
            raise forms.ValidationError(_("The month is in the future."))
        return month


class AssessmentForm(_NetworkForm):
    psychologist = forms.ModelChoiceField(label=_("Psychologist who did the assessment"), queryset=None)
    national_number = forms.CharField(
        label=_("National number (NISS/INSZ)"), max_length=20,
        help_text=_("11 digits, NN or BIS. Only a keyed hash is stored, never the number."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}))
    date = forms.DateField(label=_("Date of the assessment"), widget=DateInput())
    outcome = forms.ChoiceField(label=_("Outcome"), choices=AssessmentOutcome.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Record the assessment"), "assessment-form")
