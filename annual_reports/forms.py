from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from .structure import tr


class _CrispyForm(forms.Form):
    submit_label = _("Save")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ReportCreateForm(_CrispyForm):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    from_previous = forms.BooleanField(label=_("Start from last year's answers"), required=False)

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in years]


class IdentificationForm(_CrispyForm):
    def __init__(self, *args, fields=(), **kwargs):
        super().__init__(*args, **kwargs)
        for f in fields:
            self.fields[f["code"]] = forms.CharField(label=tr(f.get("label")), required=False, max_length=500)


class ValidateForm(_CrispyForm):
    committee_date = forms.DateField(label=_("Date of the committee meeting"), widget=DateInput())


class RequestChangesForm(_CrispyForm):
    note = forms.CharField(label=_("Message to the coordinators"), required=False,
                           widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class ReopenForm(_CrispyForm):
    reason = forms.CharField(label=_("Reason for reopening"), widget=forms.Textarea(attrs={"rows": 2}),
                             max_length=2000)


class SendingForm(_CrispyForm):
    recipients = forms.CharField(label=_("Recipients (one e-mail address per line)"),
                                 widget=forms.Textarea(attrs={"rows": 3}))
    sent_on = forms.DateField(label=_("Sent on"), widget=DateInput())
    language = forms.ChoiceField(label=_("Language of the PDF"), choices=[("fr", _("French")), ("nl", _("Dutch"))])

    def clean_recipients(self):
        from django.core.validators import validate_email

        recipients = [r.strip() for r in self.cleaned_data["recipients"].replace(",", "\n").splitlines() if r.strip()]
        for r in recipients:
            validate_email(r)
        if not recipients:
            raise forms.ValidationError(_("Enter at least one recipient."))
        return recipients


class AssignForm(_CrispyForm):
    chapter = forms.ChoiceField(label=_("Chapter"))
    assignee = forms.ModelChoiceField(label=_("Written by"), queryset=None, required=False,
                                      empty_label=_("(nobody – remove the assignment)"))
    due_on = forms.DateField(label=_("Due on"), required=False, widget=DateInput())

    def __init__(self, *args, chapters=(), members=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chapter"].choices = [(c.code, f"{c.number}. {tr(c.title)}") for c in chapters]
        from psynet.models import User

        self.fields["assignee"].queryset = User.objects.filter(
            pk__in=[m.user_id for m in members]) if members is not None else User.objects.none()


class CommentForm(_CrispyForm):
    text = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)


class AnnexForm(_CrispyForm):
    file = forms.FileField(label=_("Annex (PDF, DOCX, XLSX, ODT, PNG or JPEG)"))


class ExportForm(_CrispyForm):
    language = forms.ChoiceField(label=_("Language"), choices=[("fr", _("French")), ("nl", _("Dutch"))])
