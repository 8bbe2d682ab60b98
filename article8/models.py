"""Article 8 support missions (convention of 20/12/2023, art. 8 §2; INAMI circular Psy-Ort/2025/001 of
19/02/2025): requests from places or psychologists, the network's decision, hours reserved against the
psychologist's contract, delivered activities, contact hours, the action plan, start-up allocations
(art. 13 §2 15°) and the yearly budget."""
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from psynet.models import Network, Organisation, OrganisationKind, Psychologist, Role, Zone

# The circular names GP practices, OverKophuizen/AMO and schools as priority places; CPMS go with schools.
PRIORITY_PLACE_KINDS = frozenset({
    OrganisationKind.GP_PRACTICE, OrganisationKind.SCHOOL, OrganisationKind.CPMS,
    OrganisationKind.YOUTH_AID, OrganisationKind.OVERKOPHUIS,
})
# Order in which place types are shown (priority places first).
PLACE_KIND_ORDER = [
    OrganisationKind.GP_PRACTICE, OrganisationKind.SCHOOL, OrganisationKind.CPMS, OrganisationKind.YOUTH_AID,
    OrganisationKind.OVERKOPHUIS, OrganisationKind.MEDICAL_HOUSE, OrganisationKind.LOCAL_SERVICE_CENTRE,
    OrganisationKind.ONE, OrganisationKind.STUDENT_SERVICE, OrganisationKind.CPAS, OrganisationKind.ELDERLY_CARE,
    OrganisationKind.PRISON, OrganisationKind.EMPLOYER, OrganisationKind.OTHER,
]
# The national figure of the circular: only 8 % of the 25 M EUR article 8 budget was used in 2024.
NATIONAL_USE_2024_PERCENT = Decimal("8")
NATIONAL_BUDGET_EUR = Decimal("25000000")


def is_priority(kind):
    return kind in PRIORITY_PLACE_KINDS


class MissionType(models.TextChoices):
    PLACE_WORK = "place_work", _("Support for work in a place (lieu d'accroche)")
    ADVICE = "advice", _("Advice and support to a first-line actor about one or more persons")
    CO_CONSULTATION = "co_consultation", _("Co-consultation")
    KNOWLEDGE_SHARING = "knowledge_sharing", _("Sharing knowledge and expertise with a group of actors")


class MissionStatus(models.TextChoices):
    RECEIVED = "received", _("received")
    UNDER_REVIEW = "under_review", _("under review")
    APPROVED = "approved", _("approved")
    REFUSED = "refused", _("refused")
    PLANNED = "planned", _("planned")
    DELIVERED = "delivered", _("delivered")
    CLOSED = "closed", _("closed")


# Statuses in which a mission's hours count against the psychologist's contract.
RESERVING_STATUSES = (MissionStatus.APPROVED, MissionStatus.PLANNED, MissionStatus.DELIVERED)


class MissionSource(models.TextChoices):
    PLACE = "place", _("request from a place")
    PSYCHOLOGIST = "psychologist", _("proposal by a psychologist")
    PARTNERSHIP = "partnership", _("collaboration request")


class Article8Settings(models.Model):
    """The network's own article 8 process: who may decide on a request."""

    DECIDER_CHOICES = [
        (Role.NETWORK_COORDINATOR, Role.NETWORK_COORDINATOR.label),
        (Role.LOCAL_COORDINATOR, Role.LOCAL_COORDINATOR.label),
        (Role.COMMITTEE_MEMBER, Role.COMMITTEE_MEMBER.label),
    ]
    network = models.OneToOneField(Network, on_delete=models.CASCADE, related_name="article8_settings",
                                   verbose_name=_("network"))
    decision_roles = models.JSONField(_("who may approve or refuse a request"),
                                      default=list)
    behind_pace_margin = models.PositiveSmallIntegerField(
        _("behind-pace margin (percentage points)"), default=10,
        help_text=_("The coordinator is told when the share of hours delivered trails the share of the year gone "
                    "by more than this."))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("article 8 settings")
        verbose_name_plural = _("article 8 settings")

    def __str__(self):
        return str(self.network)

    @property
    def effective_decision_roles(self):
        return self.decision_roles or [Role.NETWORK_COORDINATOR, Role.LOCAL_COORDINATOR]


class Mission(models.Model):
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="article8_missions",
                                verbose_name=_("network"))
    zone = models.ForeignKey(Zone, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                             verbose_name=_("zone"))
    organisation = models.ForeignKey(Organisation, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="article8_missions", verbose_name=_("place"))
    place_name = models.CharField(_("place"), max_length=200)
    place_kind = models.CharField(_("place type"), max_length=30, choices=OrganisationKind.choices)
    mission_type = models.CharField(_("mission type"), max_length=30, choices=MissionType.choices)
    description = models.TextField(_("request"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    source = models.CharField(_("source"), max_length=20, choices=MissionSource.choices,
                              default=MissionSource.PLACE)
    source_reference = models.CharField(_("source reference"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=MissionStatus.choices,
                              default=MissionStatus.RECEIVED, db_index=True)
    psychologist = models.ForeignKey(Psychologist, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="article8_missions", verbose_name=_("psychologist"))
    hours_approved = models.DecimalField(_("hours approved"), max_digits=6, decimal_places=2, default=0)
    hours_delivered = models.DecimalField(_("hours delivered"), max_digits=7, decimal_places=2, default=0)
    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    start_on = models.DateField(_("from"), null=True, blank=True)
    end_on = models.DateField(_("until"), null=True, blank=True)
    refusal_reason = models.TextField(_("reason for refusal"), blank=True)
    planning_note = models.TextField(_("planning"), blank=True)
    hours_override_reason = models.TextField(_("reason for exceeding the contract hours"), blank=True)
    hours_override_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                          blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("article 8 mission")
        verbose_name_plural = _("article 8 missions")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["network", "source_reference"], condition=~Q(source_reference=""),
                                    name="article8_one_mission_per_source_reference"),
            models.CheckConstraint(condition=Q(hours_approved__gte=0), name="article8_hours_approved_positive"),
            models.CheckConstraint(condition=Q(end_on__isnull=True) | Q(start_on__isnull=True)
                                   | Q(end_on__gte=models.F("start_on")), name="article8_mission_dates_ordered"),
        ]
        indexes = [models.Index(fields=["network", "year", "status"]),
                   models.Index(fields=["psychologist", "year"])]

    def __str__(self):
        return f"{self.get_mission_type_display()} – {self.place_name}"

    def get_absolute_url(self):
        return reverse("article8:mission_detail", args=[self.pk])

    @property
    def is_priority_place(self):
        return is_priority(self.place_kind)

    @property
    def hours_reserved(self):
        """Hours counted against the contract: the approved hours (or more if more was delivered) while the
        mission runs; only what was delivered once it is closed."""
        if self.status in RESERVING_STATUSES:
            return max(self.hours_approved, self.hours_delivered)
        if self.status == MissionStatus.CLOSED:
            return self.hours_delivered
        return Decimal("0")

    @property
    def hours_left(self):
        return max(Decimal("0"), self.hours_approved - self.hours_delivered)


class AccreditationStatus(models.TextChoices):
    NOT_REQUESTED = "not_requested", _("not requested")
    REQUESTED = "requested", _("requested")
    GRANTED = "granted", _("granted")
    REFUSED = "refused", pgettext_lazy("accreditation", "refused")


class Activity(models.Model):
    """A delivered article 8 activity. Its duration consumes the psychologist's contract hours."""

    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="activities",
                                verbose_name=_("mission"))
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    psychologist = models.ForeignKey(Psychologist, on_delete=models.PROTECT, related_name="article8_activities",
                                     verbose_name=_("psychologist"))
    date = models.DateField(_("date"))
    hours = models.DecimalField(_("duration (hours)"), max_digits=5, decimal_places=2,
                                validators=[MinValueValidator(Decimal("0.25")), MaxValueValidator(Decimal("12"))])
    mission_type = models.CharField(_("mission type"), max_length=30, choices=MissionType.choices)
    place_name = models.CharField(_("place"), max_length=200)
    place_kind = models.CharField(_("place type"), max_length=30, choices=OrganisationKind.choices)
    is_remote = models.BooleanField(_("remote"), default=False)
    participants = models.PositiveSmallIntegerField(_("number of participants"), default=1,
                                                    validators=[MaxValueValidator(500)])
    theme = models.CharField(_("theme"), max_length=200)
    accreditation_requested = models.BooleanField(_("accreditation requested (GP group)"), default=False)
    accreditation_status = models.CharField(_("accreditation status"), max_length=20,
                                            choices=AccreditationStatus.choices,
                                            default=AccreditationStatus.NOT_REQUESTED)
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("article 8 activity")
        verbose_name_plural = _("article 8 activities")
        ordering = ["-date", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(hours__gt=0), name="article8_activity_hours_positive")]
        indexes = [models.Index(fields=["network", "date"])]

    def __str__(self):
        return f"{self.date} – {self.theme}"


class Offer(models.Model):
    """What the network publishes: a mission type offered to some place types, in French and Dutch."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="article8_offers")
    mission_type = models.CharField(_("mission type"), max_length=30, choices=MissionType.choices)
    place_kinds = models.JSONField(_("for place types"), default=list)
    description_fr = models.TextField(_("description (French)"))
    description_nl = models.TextField(_("description (Dutch)"))
    is_published = models.BooleanField(_("published"), default=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("article 8 offer")
        verbose_name_plural = _("article 8 offers")
        ordering = ["mission_type", "pk"]

    def __str__(self):
        return self.get_mission_type_display()

    def description(self, language):
        return self.description_nl if language == "nl" and self.description_nl else self.description_fr


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")


class ContactMode(models.TextChoices):
    PHONE = "phone", _("phone line")
    OPEN_DOOR = "open_door", _("open door at a place")


class ContactHour(models.Model):
    """A fixed weekly contact hour ("permanence") for advice about persons (circular: may be remote)."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="article8_contact_hours")
    psychologist = models.ForeignKey(Psychologist, on_delete=models.CASCADE, related_name="article8_contact_hours",
                                     verbose_name=_("psychologist"))
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    starts_at = models.TimeField(_("from"))
    ends_at = models.TimeField(_("until"))
    mode = models.CharField(_("how"), max_length=20, choices=ContactMode.choices)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("place"))
    zone = models.ForeignKey(Zone, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                             verbose_name=_("zone"))
    languages = models.CharField(_("languages"), max_length=20, default="fr")
    note = models.CharField(_("note"), max_length=200, blank=True)
    is_active = models.BooleanField(_("published"), default=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("contact hour")
        verbose_name_plural = _("contact hours")
        ordering = ["weekday", "starts_at"]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")),
                                              name="article8_contact_hour_ends_after_start")]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"


class PlanStatus(models.TextChoices):
    TODO = "todo", _("to do")
    IN_PROGRESS = "in_progress", _("in progress")
    DONE = "done", _("done")
    DROPPED = "dropped", _("dropped")


class PlanObjective(models.Model):
    """The network's article 8 action plan, which the circular asks each network to define."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="article8_objectives")
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("objective"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("action plan objective")
        verbose_name_plural = _("action plan objectives")
        ordering = ["year", "position", "pk"]

    def __str__(self):
        return self.title


class PlanAction(models.Model):
    objective = models.ForeignKey(PlanObjective, on_delete=models.CASCADE, related_name="actions",
                                  verbose_name=_("objective"))
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("action"), max_length=200)
    owner = models.CharField(_("owner"), max_length=200)
    deadline = models.DateField(_("deadline"))
    status = models.CharField(_("status"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.TODO)
    review_note = models.TextField(_("review note"), blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("action plan action")
        verbose_name_plural = _("action plan actions")
        ordering = ["deadline", "pk"]

    def __str__(self):
        return self.title


class AllocationStatus(models.TextChoices):
    REQUESTED = "requested", _("requested")
    GRANTED = "granted", _("granted")
    REFUSED = "refused", pgettext_lazy("allocation", "refused")


class PaymentStatus(models.TextChoices):
    NOT_DUE = "not_due", _("not due")
    TO_PAY = "to_pay", _("to pay")
    PAID = "paid", _("paid")


class StartupAllocation(models.Model):
    """Art. 13 §2 15°: a temporary allocation for a place that cannot start its activity for financial reasons."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="article8_allocations")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("place"))
    zone = models.ForeignKey(Zone, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                             verbose_name=_("zone"))
    requested_on = models.DateField(_("requested on"), default=timezone.localdate)
    amount_requested = models.DecimalField(_("amount requested"), max_digits=10, decimal_places=2,
                                           validators=[MinValueValidator(Decimal("0.01"))])
    reason = models.TextField(_("why the activity cannot start"))
    status = models.CharField(_("decision"), max_length=20, choices=AllocationStatus.choices,
                              default=AllocationStatus.REQUESTED)
    amount_granted = models.DecimalField(_("amount granted"), max_digits=10, decimal_places=2, null=True,
                                         blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    payment_status = models.CharField(_("payment"), max_length=20, choices=PaymentStatus.choices,
                                      default=PaymentStatus.NOT_DUE)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("start-up allocation")
        verbose_name_plural = _("start-up allocations")
        ordering = ["-requested_on", "-pk"]

    def __str__(self):
        return f"{self.organisation} – {self.amount_requested}"


class Budget(models.Model):
    """The network's yearly article 8 budget and hourly amount, with the date from which they apply."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="article8_budgets")
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(_("yearly budget"), max_digits=12, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0"))])
    hourly_amount = models.DecimalField(_("amount per hour"), max_digits=8, decimal_places=2,
                                        validators=[MinValueValidator(Decimal("0.01"))])
    effective_from = models.DateField(_("effective from"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")

    class Meta:
        verbose_name = _("article 8 budget")
        verbose_name_plural = _("article 8 budgets")
        ordering = ["-year", "-effective_from", "-pk"]
        constraints = [models.UniqueConstraint(fields=["network", "year", "effective_from"],
                                               name="article8_one_budget_per_effective_date")]

    def __str__(self):
        return f"{self.network.code} {self.year}"


class PlacePlan(models.Model):
    """The article 8 hours of a psychologist's contract planned by place (issue 10; seed 001: conventions fix the
    article 8 hours *and the places*). The sum per psychologist and year never exceeds the convention's article 8
    hours (services.place_plan_save checks it under a lock of the psychologist row)."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="article8_place_plans")
    psychologist = models.ForeignKey(Psychologist, on_delete=models.CASCADE, related_name="article8_place_plans",
                                     verbose_name=_("psychologist"))
    year = models.PositiveSmallIntegerField(_("year"))
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="article8_place_plans",
                                     verbose_name=_("place"))
    hours = models.DecimalField(_("planned hours"), max_digits=6, decimal_places=2,
                                validators=[MinValueValidator(Decimal("0.25"))])
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("article 8 hours planned at a place")
        verbose_name_plural = _("article 8 hours planned by place")
        ordering = ["psychologist__last_name", "psychologist__first_name", "organisation__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["network", "psychologist", "year", "organisation"],
                                    name="article8_one_plan_per_place"),
            models.CheckConstraint(condition=Q(hours__gt=0), name="article8_place_plan_hours_positive"),
        ]
        indexes = [models.Index(fields=["network", "year"])]

    def __str__(self):
        return f"{self.psychologist} – {self.organisation} {self.year}: {self.hours}"
