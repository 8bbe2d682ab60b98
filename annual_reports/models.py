"""Annual report of a network to INAMI/SPF: the yearly template (data), the report, its answers and their
history, chapter assignments, committee comments, annexes, exports and reminders.

The template's chapters and questions stay in ``ReportTemplate.definition`` (the YAML file, whole) and are
indexed in memory by :mod:`annual_reports.structure`; pages therefore run a bounded number of queries."""
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from psynet.models import Network


class ReportTemplate(models.Model):
    """One version of a year's INAMI template; a version used by submitted reports is never changed."""

    year = models.PositiveIntegerField(_("year"))
    version = models.PositiveIntegerField(_("version"), default=1)
    deadline = models.DateField(_("deadline"))
    recipients = models.JSONField(_("recipients"), default=list)
    definition = models.JSONField(_("definition"))
    source_sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("report template")
        verbose_name_plural = _("report templates")
        ordering = ["-year", "-version"]
        constraints = [models.UniqueConstraint(fields=["year", "version"], name="unique_template_year_version")]

    def __str__(self):
        return f"{self.year} v{self.version}"

    @cached_property
    def structure(self):
        """The parsed chapters and questions, shared by every request of this process while the row is unchanged
        (:func:`annual_reports.structure.structure_of`)."""
        from .structure import structure_of

        return structure_of(self)


class Status(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted to the committee")
    CHANGES_REQUESTED = "changes_requested", _("changes requested")
    VALIDATED = "validated", _("validated by the committee")
    SENT = "sent", _("sent to INAMI/SPF")
    ARCHIVED = "archived", _("archived")


FROZEN_STATUSES = {Status.VALIDATED, Status.SENT, Status.ARCHIVED}


class AnnualReport(models.Model):
    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="annual_reports",
                                verbose_name=_("network"))
    year = models.PositiveIntegerField(_("year"))
    template = models.ForeignKey(ReportTemplate, on_delete=models.PROTECT, related_name="reports",
                                 verbose_name=_("template"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    identification = models.JSONField(_("identification"), default=dict, blank=True)
    committee_date = models.DateField(_("committee meeting date"), null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    validated_at = models.DateTimeField(null=True, blank=True)
    validated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    sent_on = models.DateField(_("sent on"), null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_recipients = models.JSONField(_("sent to"), default=list, blank=True)
    sent_pdf = models.FileField(upload_to="annual_reports/sent/", blank=True)
    sent_pdf_sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("annual report")
        verbose_name_plural = _("annual reports")
        ordering = ["-year", "network__code"]
        constraints = [models.UniqueConstraint(fields=["network", "year"], name="one_report_per_network_year")]

    def __str__(self):
        return f"{self.network.code} {self.year}"

    def get_absolute_url(self):
        return reverse("annual_reports:report_detail", args=[self.pk])

    @property
    def is_frozen(self):
        return self.status in FROZEN_STATUSES


class Answer(models.Model):
    """The current answer to one question; ``version`` closes concurrent edits (optimistic locking)."""

    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="answers")
    question_code = models.CharField(max_length=100)
    value = models.JSONField(null=True, blank=True)
    not_applicable = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [models.UniqueConstraint(fields=["report", "question_code"], name="one_answer_per_question")]

    def __str__(self):
        return f"{self.report} {self.question_code}"

    @property
    def network(self):
        return self.report.network

    @property
    def network_id(self):
        return self.report.network_id


class AnswerRevision(models.Model):
    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    value = models.JSONField(null=True, blank=True)
    not_applicable = models.BooleanField(default=False)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                           related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["answer", "version"], name="one_revision_per_version")]


class ChapterAssignment(models.Model):
    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="assignments")
    chapter_code = models.CharField(max_length=100)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    due_on = models.DateField(_("due on"), null=True, blank=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["chapter_code"]
        constraints = [models.UniqueConstraint(fields=["report", "chapter_code"], name="one_assignee_per_chapter")]

    @property
    def network_id(self):
        return self.report.network_id


class Comment(models.Model):
    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="comments")
    question_code = models.CharField(max_length=100)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(auto_now_add=True)
    resolved = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at", "pk"]

    @property
    def network(self):
        return self.report.network


class Annex(models.Model):
    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="annexes")
    file = models.FileField(upload_to="annual_reports/annexes/%Y/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("annex")
        verbose_name_plural = _("annexes")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_name

    @property
    def network(self):
        return self.report.network


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("being prepared")
    READY = "ready", _("ready")
    FAILED = "failed", _("failed")


class ReportExport(models.Model):
    """A PDF rendered by a Celery task for download from the report page."""

    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="exports")
    language = models.CharField(max_length=2)
    status = models.CharField(max_length=10, choices=ExportStatus.choices, default=ExportStatus.PENDING)
    file = models.FileField(upload_to="annual_reports/exports/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                     related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    @property
    def network(self):
        return self.report.network


class SentReminder(models.Model):
    """One row per (recipient, network, year, step): inserted with the send, so a step goes out exactly once.

    Keyed on network + year rather than on the report alone: a network that has not even opened its report
    must be reminded too. ``report`` is filled when the report exists."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveIntegerField()
    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, null=True, blank=True,
                               related_name="reminders")
    step = models.CharField(max_length=60)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["recipient", "network", "year", "step"],
                                               name="one_reminder_per_recipient_report_step")]
