"""Partnerships (DESIGN.md "Partnerships", seeds 003 and 004): collaboration requests sent by partners through
the public form, followed by coordinators up to a tripartite agreement between the network, the partner and a
conventioned psychologist.

A request the form cannot route belongs to no network yet (``network`` is null) and waits in the triage lists
of ``triage_networks``; a routed request belongs to one network and lies in one or more of its zones."""
import hashlib
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from psynet.models import Language, Municipality, Network, Organisation, Psychologist, Zone

from .choices import (
    DEFAULT_SIGNING_ORDER,
    PLACE_TYPES,
    AgeGroup,
    AgreementStatus,
    ContactChannel,
    EmployInterest,
    EventKind,
    HoursUnit,
    Offer,
    Outcome,
    OwnProvider,
    Party,
    Problem,
    Status,
    Support,
)


def sha256_hex(value):
    if isinstance(value, str):
        value = value.encode("utf-8")
    return hashlib.sha256(value).hexdigest()


class PartnershipSettings(models.Model):
    """Per-network settings of the partnerships part; created with the defaults on first use."""

    network = models.OneToOneField(Network, on_delete=models.CASCADE, related_name="partnership_settings",
                                   verbose_name=_("network"))
    retention_months = models.PositiveIntegerField(
        _("retention of requests that led to nothing (months)"), default=24,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_("Declined or withdrawn requests are anonymised after this period."))
    link_validity_days = models.PositiveIntegerField(
        _("validity of the partner's private link (days)"), default=365,
        validators=[MinValueValidator(7), MaxValueValidator(1095)])
    session_fee = models.DecimalField(
        _("session fee used in financial projections (EUR)"), max_digits=8, decimal_places=2,
        default=Decimal("83.00"), help_text=_("83 EUR per individual consultation (PSYNAM partner presentation)."))

    class Meta:
        verbose_name = _("partnership settings")
        verbose_name_plural = _("partnership settings")

    def __str__(self):
        return str(self.network)


SEARCHED_FIELDS = {"organisation_name", "contact_name", "contact_email", "municipality_text", "municipality",
                   "municipality_id", "anonymised_at"}


def search_text_of(request):
    """Organisation, contact, e-mail and municipality (as typed and its French and Dutch names), normalised as
    the list's search normalises what is typed; empty once the request is anonymised."""
    from .municipalities import normalise

    if request.anonymised_at:
        return ""
    municipality = request.municipality if request.municipality_id else None
    parts = [request.organisation_name, request.contact_name, request.contact_email, request.municipality_text,
             municipality.name_fr if municipality else "", municipality.name_nl if municipality else ""]
    return " | ".join(normalise(p) for p in parts if p)


class CollaborationRequest(models.Model):
    network = models.ForeignKey(Network, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="collaboration_requests", verbose_name=_("network"))
    zones = models.ManyToManyField(Zone, blank=True, related_name="collaboration_requests", verbose_name=_("zones"))
    submission = models.UUIDField(_("submission"), db_index=True,
                                  help_text=_("Shared by the requests made from one form (one per network)."))
    triage_reason = models.CharField(_("triage reason"), max_length=300, blank=True)
    triage_networks = models.ManyToManyField(Network, blank=True, related_name="+",
                                             verbose_name=_("networks whose coordinators triage it"))
    # The partner
    organisation_name = models.CharField(_("organisation"), max_length=200)
    place_type = models.CharField(_("type of place"), max_length=30, choices=PLACE_TYPES)
    place_type_other = models.CharField(_("other type of place"), max_length=200, blank=True)
    enterprise_number = models.CharField(_("enterprise number"), max_length=10, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("municipality"))
    municipality_text = models.CharField(_("municipality as typed"), max_length=120, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200)
    contact_role = models.CharField(_("function"), max_length=200, blank=True)
    contact_email = models.EmailField(_("e-mail"), db_index=True)
    contact_phone = models.CharField(_("phone"), max_length=30, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.FR)
    # What they ask
    age_groups = models.JSONField(_("age groups"), default=list)
    vulnerable_groups = models.JSONField(_("vulnerable groups"), default=list, blank=True)
    vulnerable_other = models.CharField(_("other vulnerable groups"), max_length=300, blank=True)
    needs = models.TextField(_("needs"))
    offers = models.JSONField(_("offers wanted"), default=list)
    availability = models.TextField(_("availability"), blank=True)
    employ_interest = models.CharField(_("interest in employing a psychologist"), max_length=10,
                                       choices=EmployInterest.choices, default=EmployInterest.NO)
    # The partner questionnaire (seed 004, issue 10); empty on requests made before it.
    problems = models.JSONField(_("problems met"), default=list, blank=True)
    problems_other = models.CharField(_("other problems"), max_length=300, blank=True)
    has_own_provider = models.CharField(_("own care or aid provider"), max_length=5, choices=OwnProvider.choices,
                                        blank=True, default="")
    support_wanted = models.JSONField(_("support wanted"), default=list, blank=True)
    support_themes = models.TextField(_("themes wanted"), blank=True)
    co_applicants = models.JSONField(_("co-applicants"), default=list, blank=True,
                                     help_text=_("Services asking together: name, place type, contact."))
    consent_at = models.DateTimeField(_("consent given at"))
    privacy_notice_version = models.CharField(max_length=20, blank=True)
    # Follow-up
    status = models.CharField(_("status"), max_length=30, choices=Status.choices, default=Status.RECEIVED)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    outcome_reason = models.TextField(_("reason"), blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    due_on = models.DateField(_("to be handled by"))
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="assigned_collaboration_requests", verbose_name=_("coordinator"))
    assigned_at = models.DateTimeField(null=True, blank=True)
    contacted_at = models.DateTimeField(null=True, blank=True)
    needs_analysis = models.TextField(_("needs analysis"), blank=True)
    needs_analysed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    access_token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    access_token_expires_at = models.DateTimeField(null=True, blank=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # What the list's search box looks in, lower case and without accents (see search_text_of): one column
    # read instead of six, across a join, in upper case, on every search.
    search_text = models.TextField(editable=False, blank=True, default="")

    def save(self, *args, **kwargs):
        fields = kwargs.get("update_fields")
        if fields is None or set(fields) & SEARCHED_FIELDS:
            self.search_text = search_text_of(self)
            if fields is not None:
                kwargs["update_fields"] = {*fields, "search_text"}
        super().save(*args, **kwargs)

    class Meta:
        verbose_name = _("collaboration request")
        verbose_name_plural = _("collaboration requests")
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["network", "status", "due_on"], name="partnership_req_net_status_due"),
            models.Index(fields=["network", "-received_at"], name="partnership_req_net_received"),
            # The coordinator's default list: open requests, nearest deadline first, read in index order
            # (status last, so counting them reads the index alone).
            models.Index(fields=["network", "due_on", "-received_at", "-id", "status"],
                         condition=~models.Q(status=Status.CLOSED), name="partnership_req_open_due"),
            # The triage list: open requests of the network with a triage reason.
            models.Index(fields=["network", "received_at", "id"], name="partnership_req_triage",
                         condition=~models.Q(status=Status.CLOSED) & ~models.Q(triage_reason="")),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(status=Status.CLOSED) | models.Q(outcome=""),
                                   name="request_outcome_only_when_closed"),
            models.CheckConstraint(condition=~models.Q(status=Status.CLOSED) | ~models.Q(outcome=""),
                                   name="closed_request_has_outcome"),
        ]

    def __str__(self):
        return f"{self.reference} {self.organisation_name}"

    def get_absolute_url(self):
        return reverse("partnerships:request_detail", args=[self.pk])

    @property
    def reference(self):
        year = timezone.localtime(self.received_at).year if self.received_at else ""
        return f"DC-{year}-{self.pk or 0:05d}"

    @property
    def in_triage(self):
        return bool(self.triage_reason) or self.network_id is None

    @property
    def is_closed(self):
        return self.status == Status.CLOSED

    @property
    def is_anonymised(self):
        return self.anonymised_at is not None

    @property
    def is_overdue(self):
        from .choices import AWAITING_CONTACT

        return self.status in AWAITING_CONTACT and self.due_on < timezone.localdate()

    def get_offer_labels(self):
        return [Offer(o).label for o in self.offers if o in Offer.values]

    def get_age_group_labels(self):
        return [AgeGroup(a).label for a in self.age_groups if a in AgeGroup.values]

    def get_vulnerable_group_labels(self):
        from .choices import VulnerableGroup

        return [VulnerableGroup(v).label for v in self.vulnerable_groups if v in VulnerableGroup.values]

    def get_problem_labels(self):
        return [Problem(p).label for p in self.problems or [] if p in Problem.values]

    def get_support_labels(self):
        return [Support(s).label for s in self.support_wanted or [] if s in Support.values]

    def get_co_applicant_rows(self):
        """The co-applicants with their place type's label."""
        labels = dict(PLACE_TYPES)
        return [{**c, "place_label": labels.get(c.get("place_type"), c.get("place_type", ""))}
                for c in self.co_applicants or []]

    def get_place_label(self):
        label = self.get_place_type_display()
        return f"{label} ({self.place_type_other})" if self.place_type_other else label


def event_upload_to(instance, filename):
    return f"partnerships/requests/{instance.request_id}/{timezone.now():%Y%m%d%H%M%S}-{filename[-80:]}"


class RequestEvent(models.Model):
    """A message between the partner and the coordinators, an internal note or a recorded contact,
    with an optional file (stored privately, streamed after a permission or token check)."""

    request = models.ForeignKey(CollaborationRequest, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=30, choices=EventKind.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+")
    author_label = models.CharField(max_length=200, blank=True)
    body = models.TextField(_("message"), blank=True)
    contact_on = models.DateField(_("contact date"), null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=20, choices=ContactChannel.choices, blank=True)
    file = models.FileField(upload_to=event_upload_to, blank=True, max_length=300)
    file_name = models.CharField(max_length=200, blank=True)
    file_type = models.CharField(max_length=100, blank=True)
    file_size = models.PositiveIntegerField(default=0)
    is_visible_to_partner = models.BooleanField(default=False)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["request", "at"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d}"

    @property
    def is_from_partner(self):
        return self.kind == EventKind.PARTNER_MESSAGE


class Proposal(models.Model):
    """A psychologist proposed to the partner for this request."""

    request = models.ForeignKey(CollaborationRequest, on_delete=models.CASCADE, related_name="proposals")
    psychologist = models.ForeignKey(Psychologist, on_delete=models.PROTECT, related_name="+")
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    proposed_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["proposed_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["request", "psychologist"], name="one_proposal_per_psychologist")]


class SentReminder(models.Model):
    """One row per (step, recipient) inserted with the send: a reminder goes out exactly once, ever.
    ``recipient_email`` covers coordinators and partners (who have no account)."""

    step = models.CharField(max_length=200)
    recipient_email = models.CharField(max_length=254)
    request = models.ForeignKey(CollaborationRequest, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="reminders")
    agreement = models.ForeignKey("Agreement", on_delete=models.CASCADE, null=True, blank=True,
                                  related_name="reminders")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["step", "recipient_email"], name="one_partnership_reminder")]


class FinancialProjection(models.Model):
    """A partner that wants to employ a psychologist: hours × session fee against the salary cost (seed 003,
    "projection financière"). Prepared by the coordinators with the partner."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    request = models.OneToOneField(CollaborationRequest, on_delete=models.CASCADE, related_name="projection")
    hours_per_week = models.DecimalField(_("convention hours per week"), max_digits=5, decimal_places=1,
                                         validators=[MinValueValidator(Decimal("0.5")),
                                                     MaxValueValidator(Decimal(38))])
    weeks_per_year = models.PositiveIntegerField(_("working weeks per year"), default=46,
                                                 validators=[MinValueValidator(1), MaxValueValidator(52)])
    occupancy_percent = models.PositiveIntegerField(
        _("share of hours with a session (%)"), default=85, validators=[MinValueValidator(1), MaxValueValidator(100)])
    session_fee = models.DecimalField(_("fee per session (EUR)"), max_digits=8, decimal_places=2,
                                      validators=[MinValueValidator(Decimal(0))])
    annual_salary_cost = models.DecimalField(_("annual employer cost of the salary (EUR)"), max_digits=10,
                                             decimal_places=2, validators=[MinValueValidator(Decimal(0))])
    other_annual_costs = models.DecimalField(_("other annual costs (EUR)"), max_digits=10, decimal_places=2,
                                             default=Decimal(0), validators=[MinValueValidator(Decimal(0))])
    note = models.TextField(_("note"), blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    @property
    def sessions_per_year(self):
        return (self.hours_per_week * self.weeks_per_year * self.occupancy_percent / 100).quantize(
            Decimal(1), rounding=ROUND_HALF_UP)

    @property
    def annual_income(self):
        return (self.sessions_per_year * self.session_fee).quantize(Decimal("0.01"))

    @property
    def annual_cost(self):
        return self.annual_salary_cost + self.other_annual_costs

    @property
    def balance(self):
        return self.annual_income - self.annual_cost

    @property
    def break_even_hours_per_week(self):
        per_hour = self.weeks_per_year * self.occupancy_percent / Decimal(100) * self.session_fee
        if not per_hour:
            return None
        return (self.annual_cost / per_hour).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


class Agreement(models.Model):
    """The "document de tripartenariat" of seed 003: network + partner + conventioned psychologist."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="agreements",
                                verbose_name=_("network"))
    request = models.ForeignKey(CollaborationRequest, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="agreements", verbose_name=_("collaboration request"))
    zone = models.ForeignKey(Zone, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                             verbose_name=_("zone"))
    status = models.CharField(_("status"), max_length=20, choices=AgreementStatus.choices,
                              default=AgreementStatus.DRAFT)
    language = models.CharField(_("language of the text"), max_length=2, choices=Language.choices,
                                default=Language.FR)
    # Parties
    organisation = models.ForeignKey(Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    partner_name = models.CharField(_("partner organisation"), max_length=200)
    partner_enterprise_number = models.CharField(_("enterprise number"), max_length=10, blank=True)
    partner_address = models.CharField(_("partner address"), max_length=200, blank=True)
    partner_signatory_name = models.CharField(_("partner signatory"), max_length=200)
    partner_signatory_role = models.CharField(_("signatory's function"), max_length=200, blank=True)
    partner_signatory_email = models.EmailField(_("signatory's e-mail"))
    psychologist = models.ForeignKey(Psychologist, on_delete=models.PROTECT, related_name="agreements",
                                     verbose_name=_("psychologist"))
    network_signatory = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                          verbose_name=_("network signatory"))
    # Terms
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("end"))
    hours_per_period = models.DecimalField(_("hours"), max_digits=6, decimal_places=1)
    hours_unit = models.CharField(_("per"), max_length=10, choices=HoursUnit.choices, default=HoursUnit.WEEK)
    total_hours = models.DecimalField(_("total hours"), max_digits=7, decimal_places=1)
    modalities = models.JSONField(_("modalities"), default=list)
    article8_hours = models.JSONField(_("article 8 missions and hours"), default=dict, blank=True)
    place_address = models.CharField(_("place (address)"), max_length=200, blank=True)
    place_room = models.CharField(_("room"), max_length=200, blank=True)
    target_public = models.TextField(_("target public"), blank=True)
    age_groups = models.JSONField(_("age groups"), default=list, blank=True)
    co_facilitators = models.JSONField(_("group co-facilitators"), default=list, blank=True)
    co_facilitator_names = models.CharField(_("co-facilitators' names"), max_length=300, blank=True)
    co_facilitator_ids = models.JSONField(_("group co-facilitators (recorded by the network)"), default=list,
                                          blank=True, help_text=_("Ids of care_offer co-facilitators."))
    conditions = models.TextField(_("conditions"), blank=True)
    signing_order = models.JSONField(_("signing order"), default=list)
    # Life
    partner_token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    partner_token_expires_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    declined_by = models.CharField(max_length=20, choices=Party.choices, blank=True)
    decline_reason = models.TextField(_("reason"), blank=True)
    termination_reason = models.TextField(_("reason for termination"), blank=True)
    pdf = models.FileField(upload_to="partnerships/agreements/", blank=True, max_length=300)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("tripartite agreement")
        verbose_name_plural = _("tripartite agreements")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["network", "status"], name="partnership_agr_net_status"),
                   models.Index(fields=["status", "ends_on"], name="partnership_agr_status_end")]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")),
                                   name="agreement_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.reference} {self.partner_name}"

    def get_absolute_url(self):
        return reverse("partnerships:agreement_detail", args=[self.pk])

    @property
    def reference(self):
        return f"TP-{self.created_at:%Y}-{self.pk or 0:05d}"

    @property
    def order(self):
        return list(self.signing_order or DEFAULT_SIGNING_ORDER)

    def get_modality_labels(self):
        from .choices import Modality

        return [Modality(m).label for m in self.modalities if m in Modality.values]


class AgreementVersion(models.Model):
    """The exact text of one version; signatures sign its SHA-256. A version with a signature never changes:
    any later change makes a new version (services.agreement_update)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    content = models.JSONField(default=dict)
    text = models.TextField()
    sha256 = models.CharField(max_length=64)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["agreement", "-number"]
        constraints = [models.UniqueConstraint(fields=["agreement", "number"], name="one_agreement_version_number")]

    def __str__(self):
        return f"{self.agreement.reference} v{self.number}"


class Signature(models.Model):
    version = models.ForeignKey(AgreementVersion, on_delete=models.CASCADE, related_name="signatures")
    party = models.CharField(max_length=20, choices=Party.choices)
    name = models.CharField(max_length=200)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+")
    method = models.CharField(max_length=100)
    signed_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)
    text_sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["signed_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["version", "party"], name="one_signature_per_party_version")]


class SigningCode(models.Model):
    """A one-time code e-mailed to the partner's signatory; stored hashed, valid 15 minutes, 5 attempts."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="signing_codes")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
