"""Billing: rules as dated data, pseudonymised patients, sessions, extensions, statements and imports.

Every amount and limit lives in a rule row (FeeRule, CopayRule, QuotaRule, BillingParameter) with effective dates,
a status (confirmed / seed / assumed / historical) and its source (domain-facts §9, seed 003). Nothing here is a
constant of the convention: the code only knows the *shape* of the rules.
"""
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from psynet.models import Function, Network, Organisation, Psychologist, RuleStatus, Zone


class ConventionModel(models.TextChoices):
    PILOT_2019 = "2019", _("2019 pilot")
    M2021 = "2021", _("2021 model")
    M2024 = "2024", _("2024 model")


class Band(models.TextChoices):
    YOUTH = "youth_0_23", _("children and young people")
    ADULT = "adult_15_plus", _("adults")
    ANY = "any", _("any age")


class Format(models.TextChoices):
    INDIVIDUAL = "individual", _("individual")
    GROUP = "group", _("group")


class Setting(models.TextChoices):
    PRACTICE = "practice", _("practice")
    OUTREACH = "outreach", _("at a partner (outreaching)")
    HOME = "home", _("at home")
    VIDEO = "video", _("video")


class DatedRule(models.Model):
    valid_from = models.DateField(_("valid from"), null=True, blank=True,
                                  help_text=_("Empty: since the start of the model."))
    valid_to = models.DateField(_("valid to"), null=True, blank=True, help_text=_("Empty: open-ended."))
    status = models.CharField(_("status"), max_length=12, choices=RuleStatus.choices)
    source = models.TextField(_("source"), blank=True)

    class Meta:
        abstract = True

    def in_force_on(self, day):
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)

    @property
    def is_assumed(self):
        return self.status == RuleStatus.ASSUMED


class FeeRule(DatedRule):
    """An amount paid to the provider (domain-facts §9.1): per session, per group session, per patient-year."""

    class Unit(models.TextChoices):
        SESSION = "session", _("per individual session")
        GROUP_SESSION = "group_session", _("per group session")
        PATIENT_YEAR = "patient_year", _("per patient and year")
        CLAIM = "claim", _("per claim")

    code = models.CharField(_("code"), max_length=30)
    label_fr = models.CharField(_("label (French)"), max_length=200)
    label_nl = models.CharField(_("label (Dutch)"), max_length=200)
    model = models.CharField(_("convention model"), max_length=4, choices=ConventionModel.choices)
    unit = models.CharField(_("unit"), max_length=20, choices=Unit.choices)
    amount_eur = models.DecimalField(_("amount (EUR)"), max_digits=8, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("fee rule")
        verbose_name_plural = _("fee rules")
        ordering = ["code", "valid_from"]
        constraints = [models.UniqueConstraint(fields=["code", "model", "valid_from"], name="billing_fee_rule_key",
                                               nulls_distinct=False)]

    def __str__(self):
        return f"{self.code} {self.model} {self.amount_eur} €"

    @property
    def label(self):
        return self.label_nl if get_language() == "nl" else self.label_fr


class CopayRule(DatedRule):
    """The patient's share (domain-facts §9.2). Evaluated in ``position`` order; the first matching row wins."""

    position = models.PositiveIntegerField(_("position"))
    code = models.CharField(_("rule"), max_length=30)
    format = models.CharField(_("format"), max_length=12, help_text="any / individual / group / group_f1")
    bim = models.CharField(_("increased reimbursement"), max_length=3, help_text="any / yes / no")
    age_max = models.PositiveIntegerField(_("maximum age"), null=True, blank=True)
    first_session = models.CharField(_("first session"), max_length=3, help_text="any / yes / no")
    amount_eur = models.DecimalField(_("amount (EUR)"), max_digits=8, decimal_places=2)

    class Meta:
        verbose_name = _("co-payment rule")
        verbose_name_plural = _("co-payment rules")
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["code", "valid_from"], name="billing_copay_rule_key",
                                               nulls_distinct=False)]

    def __str__(self):
        return f"{self.code} {self.amount_eur} €"


class QuotaRule(DatedRule):
    """Maximum reimbursed sessions per patient (domain-facts §9.3, §11.2). Empty max = unlimited."""

    class Period(models.TextChoices):
        ROLLING_12_MONTHS = "rolling_12_months", _("rolling 12 months")
        CALENDAR_YEAR = "calendar_year", _("calendar year")
        NONE = "none", _("no period")

    model = models.CharField(_("convention model"), max_length=4, choices=ConventionModel.choices)
    band = models.CharField(_("age band"), max_length=20, choices=Band.choices)
    function = models.CharField(_("function"), max_length=20, help_text="first_line / specialised / F1 / F2 / F3 / any")
    format = models.CharField(_("format"), max_length=12)
    max_sessions = models.PositiveIntegerField(_("maximum sessions"), null=True, blank=True)
    network_average = models.PositiveIntegerField(
        _("network average"), null=True, blank=True,
        help_text=_("The average number of sessions per patient the network aims at: a dashboard indicator, never "
                    "a refusal."))
    period = models.CharField(_("period"), max_length=20, choices=Period.choices)
    assessment_after = models.PositiveIntegerField(
        _("sessions before the functional assessment"), null=True, blank=True,
        help_text=_("Sessions of this function a patient may have in the period before the functional assessment "
                    "(bilan fonctionnel) must be recorded. Empty: no assessment required."))

    class Meta:
        verbose_name = _("quota rule")
        verbose_name_plural = _("quota rules")
        ordering = ["model", "band", "function", "format", "valid_from"]
        constraints = [models.UniqueConstraint(fields=["model", "band", "function", "format", "valid_from"],
                                               name="billing_quota_rule_key", nulls_distinct=False)]

    def __str__(self):
        return f"{self.model} {self.band} {self.function} {self.format}: {self.max_sessions or '∞'}"

    @property
    def code(self):
        return f"QUOTA_{self.model}_{self.band}_{self.function}_{self.format}".upper()


class BillingParameter(DatedRule):
    """A cross-cutting limit kept as data: age bounds of the bands, group size, sessions per day, category lock."""

    code = models.CharField(_("code"), max_length=40)
    label = models.CharField(_("label"), max_length=200)
    value = models.CharField(_("value"), max_length=40)

    class Meta:
        verbose_name = _("billing parameter")
        verbose_name_plural = _("billing parameters")
        ordering = ["code", "valid_from"]
        constraints = [models.UniqueConstraint(fields=["code", "valid_from"], name="billing_parameter_key",
                                               nulls_distinct=False)]

    def __str__(self):
        return f"{self.code} = {self.value}"


class RuleBookVersion(models.Model):
    """One row whose token changes whenever a rule row (fee, co-payment, quota, parameter) is saved or deleted,
    in the same transaction (billing.rules.invalidate_cached_book). Every process compares it with the token of the
    rule book it holds in memory; a registration reads it with its other inputs, in the same round trip."""

    token = models.CharField(max_length=32, default="")

    def __str__(self):
        return self.token


class PseudonymKey(models.Model):
    """One generation of the pseudonym key chain: only a fingerprint of the key, never the key."""

    generation = models.PositiveIntegerField(unique=True)
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["generation"]


class Patient(models.Model):
    """A pseudonymised patient: a keyed hash of the NISS/INSZ and the birth date taken from it. No name."""

    class Precision(models.TextChoices):
        DAY = "day", _("day")
        MONTH = "month", _("month")
        YEAR = "year", _("year")

    pseudonym = models.CharField(max_length=64, unique=True)
    birth_date = models.DateField(_("birth date"), help_text=_("First day of the month or year when unknown."))
    birth_precision = models.CharField(max_length=5, choices=Precision.choices, default=Precision.DAY)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("patient (pseudonymised)")
        verbose_name_plural = _("patients (pseudonymised)")

    def __str__(self):
        return f"P-{self.pseudonym[:10]}"

    @property
    def label(self):
        return str(self)


class BimStatus(models.Model):
    """Increased reimbursement (BIM / verhoogde tegemoetkoming) as a dated attribute: in force from valid_from."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="bim_statuses")
    valid_from = models.DateField(_("valid from"))
    is_bim = models.BooleanField(_("increased reimbursement"))
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")

    class Meta:
        ordering = ["patient", "valid_from"]
        constraints = [models.UniqueConstraint(fields=["patient", "valid_from"], name="billing_bim_once_per_day")]


class GroupSession(models.Model):
    """A group session (4–15 participants, two hours, two facilitators) or an F1 community session (head count)."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    psychologist = models.ForeignKey(Psychologist, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("psychologist"))
    co_psychologist = models.ForeignKey(Psychologist, on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="+", verbose_name=_("co-facilitating psychologist"))
    co_facilitator = models.CharField(_("co-facilitator"), max_length=200, blank=True)
    date = models.DateField(_("date"))
    model = models.CharField(max_length=4, choices=ConventionModel.choices)
    function = models.CharField(max_length=20, choices=Function.choices)
    setting = models.CharField(max_length=12, choices=Setting.choices)
    place = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    zone = models.ForeignKey(Zone, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"))
    fee_rule = models.ForeignKey(FeeRule, on_delete=models.PROTECT, related_name="+")
    fee_eur = models.DecimalField(max_digits=8, decimal_places=2)
    head_count = models.PositiveIntegerField(_("head count"), null=True, blank=True)
    group_ref = models.CharField(max_length=60, blank=True)
    eating_disorder_path = models.BooleanField(
        _("eating-disorder care path"), default=False, db_default=False,
        help_text=_("A group of the network's care path for eating disorders (annual report, chapter 3)."))
    import_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                      related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["network", "date"])]

    def __str__(self):
        return f"G{self.pk} {self.date:%d/%m/%Y}"


class CareSession(models.Model):
    """One reimbursed session of one patient; the model and function it was given under are kept."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    psychologist = models.ForeignKey(Psychologist, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("psychologist"))
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="sessions")
    date = models.DateField(_("date"))
    model = models.CharField(_("model"), max_length=4, choices=ConventionModel.choices)
    function = models.CharField(_("function"), max_length=20, choices=Function.choices)
    format = models.CharField(_("format"), max_length=12, choices=Format.choices)
    setting = models.CharField(_("setting"), max_length=12, choices=Setting.choices)
    place = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                              verbose_name=_("place"))
    zone = models.ForeignKey(Zone, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    group = models.ForeignKey(GroupSession, on_delete=models.CASCADE, null=True, blank=True,
                              related_name="participants")
    band = models.CharField(_("age band"), max_length=20, choices=Band.choices)
    age = models.PositiveIntegerField(_("age"))
    is_bim = models.BooleanField(_("increased reimbursement"), default=False)
    eating_disorder_path = models.BooleanField(
        _("eating-disorder care path"), default=False, db_default=False,
        help_text=_("A session of a patient in the network's care path for eating disorders."))
    is_first = models.BooleanField(_("first individual session"), default=False)
    copay_rule = models.ForeignKey(CopayRule, on_delete=models.PROTECT, related_name="+")
    copay_eur = models.DecimalField(_("co-payment"), max_digits=8, decimal_places=2)
    fee_rule = models.ForeignKey(FeeRule, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    fee_eur = models.DecimalField(_("fee"), max_digits=8, decimal_places=2)
    lump_sum_eur = models.DecimalField(_("lump sum"), max_digits=8, decimal_places=2, default=0)
    quota_rule = models.ForeignKey(QuotaRule, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    extension = models.ForeignKey("QuotaExtension", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="sessions")
    # unique through Meta.constraints, not unique=True: PostgreSQL then keeps only the unique index (equality
    # lookups) without the varchar_pattern_ops copy that unique=True adds and that no query uses
    import_key = models.CharField(max_length=64, null=True, blank=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                      related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["-date", "-pk"]
        constraints = [models.UniqueConstraint(fields=["patient", "date"], name="one_session_per_patient_per_day"),
                       models.UniqueConstraint(fields=["import_key"], name="billing_session_import_key_unique")]
        indexes = [models.Index(fields=["network", "date"]), models.Index(fields=["psychologist", "date"]),
                   models.Index(fields=["patient", "date"])]

    def __str__(self):
        return f"{self.patient} {self.date:%d/%m/%Y} {self.function}"


class QuotaExtension(models.Model):
    """A dated, justified override of a quota granted by the network coordinator (domain-facts §3.4, §11.2)."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="extensions")
    function = models.CharField(_("function"), max_length=20, choices=Function.choices)
    format = models.CharField(_("format"), max_length=12, choices=Format.choices)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))
    extra_sessions = models.PositiveIntegerField(_("extra sessions"))
    reason = models.TextField(_("reason"))
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("quota extension")
        verbose_name_plural = _("quota extensions")
        ordering = ["-granted_at"]
        constraints = [models.CheckConstraint(condition=models.Q(valid_to__gte=models.F("valid_from")),
                                              name="billing_extension_dates")]

    def __str__(self):
        return f"+{self.extra_sessions} {self.patient} {self.function}"


class Statement(models.Model):
    """A psychologist's monthly statement for the collecting hospital; files kept in private storage."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    psychologist = models.ForeignKey(Psychologist, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("psychologist"))
    month = models.DateField(_("month"))
    inputs_hash = models.CharField(max_length=64)
    totals = models.JSONField(default=dict)
    pdf = models.FileField(upload_to="billing/statements/", blank=True)
    csv = models.FileField(upload_to="billing/statements/", blank=True)
    version = models.PositiveIntegerField(default=1)
    generated_at = models.DateTimeField(default=timezone.now)
    generated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")

    class Meta:
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        ordering = ["-month", "psychologist__last_name"]
        constraints = [models.UniqueConstraint(fields=["network", "psychologist", "month"],
                                               name="billing_one_statement_per_month")]

    def __str__(self):
        return f"{self.psychologist} {self.month:%m/%Y}"

    def get_absolute_url(self):
        return reverse("billing:statement_detail", args=[self.pk])


class ImportBatch(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        REFUSED = "refused", _("refused")

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    file = models.FileField(upload_to="billing/imports/")
    original_name = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    dry_run = models.BooleanField(default=False)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict)
    message = models.TextField(blank=True)
    report = models.FileField(upload_to="billing/imports/", blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.original_name or f"import {self.pk}"

    def get_absolute_url(self):
        return reverse("billing:import_detail", args=[self.pk])

    @property
    def progress_percent(self):
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0


class AssessmentOutcome(models.TextChoices):
    TREATMENT = "treatment", _("specialised care or treatment indicated")
    FIRST_LINE = "first_line", _("first-line care is enough")
    REFERRAL = "referral", _("referral to other care")


class FunctionalAssessment(models.Model):
    """The functional assessment (bilan fonctionnel) of a patient (issue 10): recorded before specialised sessions
    (2021 model) or treatment sessions (F3) beyond the first. Which sessions need it is data
    (QuotaRule.assessment_after). Pseudonymised like the sessions: the patient, a date, who did it, the outcome."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="assessments")
    date = models.DateField(_("date of the assessment"))
    psychologist = models.ForeignKey(Psychologist, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("psychologist"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=AssessmentOutcome.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("functional assessment")
        verbose_name_plural = _("functional assessments")
        ordering = ["-date", "-pk"]
        constraints = [models.UniqueConstraint(fields=["patient", "psychologist", "date"],
                                               name="billing_one_assessment_per_day")]
        indexes = [models.Index(fields=["network", "date"]), models.Index(fields=["patient", "date"])]

    def __str__(self):
        return f"{self.patient} {self.date:%d/%m/%Y}"
