"""The care offer as the seeds define it (issue 10): the provider network (applications for a convention, the
selection steps, the onboarding checklist), co-facilitators, network priorities, clairvisions, the outreaching
eligibility of places and the budget rules per offer.

Sources: seed 003 (PSYNAM for partners: outreaching, groups, clairvisions, "no budget limit since June 2023 under
conditions", the three priorities), seed 000 (annual report chapter "Prestataires"), seed 001 (conventions fix the
article 8 hours and the places)."""
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from psynet.models import (
    Language, Network, Organisation, OrganisationKind, Profession, Psychologist, RuleStatus, Zone,
)


def _localised(obj, field):
    return getattr(obj, f"{field}_nl") if (get_language() or "fr")[:2] == "nl" else getattr(obj, f"{field}_fr")


# ---- choices -----------------------------------------------------------------------------------------------


class Modality(models.TextChoices):
    """What a psychologist offers (seed 003, "Les types de missions")."""

    PRACTICE = "practice", _("individual sessions in the practice")
    OUTREACHING = "outreaching", _("sessions at a partner's place (outreaching)")
    GROUP = "group", _("group sessions")
    HOME = "home", _("consultations at home")
    VIDEO = "video", _("video consultations")
    CLAIRVISION = "clairvision", _("clairvisions")


class ApplicationStatus(models.TextChoices):
    RECEIVED = "received", _("received")
    REVIEWED = "reviewed", _("reviewed")
    INTERVIEW = "interview", _("interview planned")
    ACCEPTED = "accepted", _("accepted")
    REFUSED = "refused", _("refused")


OPEN_APPLICATION_STATUSES = [ApplicationStatus.RECEIVED, ApplicationStatus.REVIEWED, ApplicationStatus.INTERVIEW]


class DocumentKind(models.TextChoices):
    DIPLOMA = "diploma", _("diploma")
    VISA = "visa", _("visa")
    CV = "cv", _("curriculum vitae")
    OTHER = "other", pgettext_lazy("document kind", "other")


class CoFacilitatorKind(models.TextChoices):
    """Seed 003, "La co-animation": the partner's staff, another professional, an expert by experience."""

    PARTNER_STAFF = "partner_staff", _("a member of a partner's staff")
    PROFESSIONAL = "professional", _("another care or support professional")
    EXPERT = "expert", _("an expert by experience")


class ClairvisionFormat(models.TextChoices):
    INDIVIDUAL = "individual", _("individual")
    COLLECTIVE = "collective", _("collective")


class Theme(models.TextChoices):
    ANXIETY = "anxiety", _("anxiety and stress")
    LOW_MOOD = "low_mood", _("low mood")
    ADDICTION = "addiction", _("addictions")
    PARENTING = "parenting", _("parenting")
    SCHOOL = "school", _("school difficulties, fear of failure")
    BULLYING = "bullying", _("bullying")
    EATING = "eating", _("eating problems")
    AGEING = "ageing", _("ageing and isolation")
    EARLY_CHILDHOOD = "early_childhood", _("the first 1,000 days")
    GRIEF = "grief", _("grief and loss")
    ACCESS = "access", _("finding one's way to mental-health care")
    OTHER = "other", pgettext_lazy("theme", "other")


class OfferKind(models.TextChoices):
    """The offers whose budget rules are dated data (seed 003: outreaching, groups, clairvisions)."""

    OUTREACHING = "outreaching", _("outreaching")
    GROUP = "group", _("group sessions")
    CLAIRVISION = "clairvision", _("clairvisions")
    INDIVIDUAL = "individual", _("individual sessions")


# ---- network settings and the application ---------------------------------------------------------------


class CareOfferSettings(models.Model):
    """Per-network settings; created with the defaults on first use."""

    network = models.OneToOneField(Network, on_delete=models.CASCADE, related_name="care_offer_settings",
                                   verbose_name=_("network"))
    min_years_practice = models.PositiveSmallIntegerField(
        _("minimum years of clinical practice for an application"), default=0,
        validators=[MaxValueValidator(40)],
        help_text=_("PSYNAM asks at least 3 years. 0: no minimum."))
    accepts_applications = models.BooleanField(_("the public application form is open"), default=True)
    link_validity_days = models.PositiveSmallIntegerField(
        _("days an applicant's follow-up link stays valid"), default=365,
        validators=[MinValueValidator(7), MaxValueValidator(730)],
        help_text=_("Each e-mail to the applicant carries a fresh link valid this many days."))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("care offer settings")
        verbose_name_plural = _("care offer settings")

    def __str__(self):
        return str(self.network)


class ProviderApplication(models.Model):
    """A psychologist or orthopedagogue asking a network for a convention (public form, no account)."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="provider_applications",
                                verbose_name=_("network"))
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    profession = models.CharField(_("profession"), max_length=20, choices=Profession.choices)
    inami_number = models.CharField(_("INAMI number"), max_length=11)
    visa_number = models.CharField(_("visa number"), max_length=20)
    qualification = models.CharField(_("qualification (diploma)"), max_length=300)
    years_practice = models.PositiveSmallIntegerField(_("years of clinical practice"))
    languages = models.JSONField(_("languages"), default=list)
    zones = models.ManyToManyField(Zone, blank=True, related_name="provider_applications", verbose_name=_("zones"))
    functions = models.JSONField(_("functions"), default=list)
    age_groups = models.JSONField(_("age groups"), default=list)
    modalities = models.JSONField(_("modalities"), default=list)
    availability = models.TextField(_("availability"), blank=True)
    motivation = models.TextField(_("motivation"), blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.FR)
    consent_at = models.DateTimeField(_("consent given at"))
    # The selection steps, each dated and attributed (the audit trail keeps the history).
    status = models.CharField(_("status"), max_length=20, choices=ApplicationStatus.choices,
                              default=ApplicationStatus.RECEIVED)
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    review_note = models.TextField(_("review note"), blank=True)
    interview_at = models.DateTimeField(_("interview"), null=True, blank=True)
    interview_place = models.CharField(_("place of the interview"), max_length=200, blank=True)
    interview_planned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                             blank=True, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    refusal_reason = models.TextField(_("reason for refusal"), blank=True)
    psychologist = models.ForeignKey(Psychologist, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="applications", verbose_name=_("psychologist"))
    convention = models.ForeignKey("psynet.Convention", on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("convention"))
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("application for a convention")
        verbose_name_plural = _("applications for a convention")
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["network", "status", "-received_at"], name="care_app_net_status")]
        constraints = [
            models.CheckConstraint(condition=~models.Q(status="refused") | ~models.Q(refusal_reason=""),
                                   name="care_refused_application_has_reason"),
            models.CheckConstraint(condition=~models.Q(status="accepted") | models.Q(psychologist__isnull=False),
                                   name="care_accepted_application_has_psychologist"),
        ]

    def __str__(self):
        return f"{self.reference} {self.first_name} {self.last_name}"

    def get_absolute_url(self):
        return reverse("care_offer:application_detail", args=[self.pk])

    @property
    def reference(self):
        year = timezone.localtime(self.received_at).year if self.received_at else ""
        return f"CA-{year}-{self.pk or 0:05d}"

    @property
    def inami_display(self):
        n = self.inami_number
        return f"{n[0]}-{n[1:6]}-{n[6:8]}-{n[8:]}" if len(n) == 11 else n

    @property
    def is_open(self):
        return self.status in OPEN_APPLICATION_STATUSES

    def get_modality_labels(self):
        return [Modality(m).label for m in self.modalities if m in Modality.values]


def document_upload_to(instance, filename):
    return f"care_offer/applications/{instance.application_id}/{filename[-80:]}"


class ApplicationDocument(models.Model):
    """A document sent with an application, stored privately and streamed after a permission check."""

    application = models.ForeignKey(ProviderApplication, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    file = models.FileField(upload_to=document_upload_to, max_length=300)
    file_name = models.CharField(max_length=200)
    file_type = models.CharField(max_length=100)
    file_size = models.PositiveIntegerField(default=0)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "pk"]

    def __str__(self):
        return self.file_name


class ApplicationLink(models.Model):
    """A private follow-up link of an application (no account): ``secrets.token_urlsafe(32)`` given once in an
    e-mail to the applicant, only its SHA-256 kept (partnerships.tokens). Each e-mail carries a fresh link; the
    older ones keep working until they expire."""

    application = models.ForeignKey(ProviderApplication, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["application", "-expires_at"], name="care_link_app_expiry")]

    def __str__(self):
        return f"{self.application.reference} ({self.expires_at:%d/%m/%Y})"


class ApplicantNotice(models.Model):
    """One e-mail to the applicant for one step of the selection: the unique constraint makes each step e-mailed
    exactly once (a second try of the same step inserts nothing and sends nothing)."""

    application = models.ForeignKey(ProviderApplication, on_delete=models.CASCADE, related_name="notices")
    step = models.CharField(max_length=60)
    subject = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["application", "step"], name="care_one_notice_per_step")]

    def __str__(self):
        return f"{self.application.reference} {self.step}"


class ApplicantMessage(models.Model):
    """A message or a document the applicant added through their follow-up link."""

    application = models.ForeignKey(ProviderApplication, on_delete=models.CASCADE, related_name="messages")
    body = models.TextField(_("message"), blank=True)
    document = models.OneToOneField(ApplicationDocument, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="message")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.application.reference} {self.created_at:%d/%m/%Y %H:%M}"


class OnboardingItem(models.Model):
    """One step of the network's onboarding checklist for accepted providers (data, per network)."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="onboarding_items")
    code = models.SlugField(_("code"), max_length=40)
    label_fr = models.CharField(_("label (French)"), max_length=200)
    label_nl = models.CharField(_("label (Dutch)"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["network", "code"], name="care_onboarding_item_code")]

    def __str__(self):
        return self.label

    @property
    def label(self):
        return _localised(self, "label")


class OnboardingTick(models.Model):
    application = models.ForeignKey(ProviderApplication, on_delete=models.CASCADE, related_name="ticks")
    item = models.ForeignKey(OnboardingItem, on_delete=models.CASCADE, related_name="ticks")
    done_at = models.DateTimeField(default=timezone.now)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["application", "item"], name="care_one_tick_per_item")]


class ProviderProfile(models.Model):
    """What a conventioned provider offers in a network beyond the convention's fields: the modalities (the core
    Convention has none) and whether they take new people. Filled from the accepted application."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    psychologist = models.ForeignKey(Psychologist, on_delete=models.CASCADE, related_name="care_profiles")
    modalities = models.JSONField(_("modalities"), default=list)
    accepts_new = models.BooleanField(_("takes new people"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["network", "psychologist"], name="care_one_profile")]


# ---- co-facilitators ----------------------------------------------------------------------------------------


class CoFacilitator(models.Model):
    """Someone who co-facilitates group sessions with a conventioned psychologist without being one (seed 003,
    "La co-animation"; seed 000, Providers f)."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="co_facilitators",
                                verbose_name=_("network"))
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=CoFacilitatorKind.choices)
    organisation = models.ForeignKey(Organisation, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="co_facilitators", verbose_name=_("organisation"))
    profession = models.CharField(_("profession or experience"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    languages = models.JSONField(_("languages"), default=list)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("co-facilitator")
        verbose_name_plural = _("co-facilitators")
        ordering = ["last_name", "first_name", "pk"]
        indexes = [models.Index(fields=["network", "is_active", "kind"], name="care_cofac_net_active")]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"


# ---- priorities -------------------------------------------------------------------------------------------


class Priority(models.Model):
    """A network priority (PSYNAM, seed 003: the south of the province, older people, the first 1000 days)."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="priorities",
                                verbose_name=_("network"))
    code = models.SlugField(_("code"), max_length=40)
    name_fr = models.CharField(_("name (French)"), max_length=200)
    name_nl = models.CharField(_("name (Dutch)"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("priority")
        verbose_name_plural = _("priorities")
        ordering = ["name_fr"]
        constraints = [models.UniqueConstraint(fields=["network", "code"], name="care_priority_code_per_network")]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return _localised(self, "name")


class PriorityTag(models.Model):
    """A priority carried by any object of the network (a request, an agreement, a mission, a clairvision)."""

    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="tags")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    tagged_at = models.DateTimeField(default=timezone.now)
    tagged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")

    class Meta:
        indexes = [models.Index(fields=["content_type", "object_id"], name="care_tag_target")]
        constraints = [models.UniqueConstraint(fields=["priority", "content_type", "object_id"],
                                               name="care_one_tag_per_priority")]

    @property
    def network_id(self):
        return self.priority.network_id


# ---- clairvisions -------------------------------------------------------------------------------------------


class Clairvision(models.Model):
    """A session that sheds light on mental-health themes and eases the way to care (seed 003). It is not
    supervision, intervision, team support or team building."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="clairvisions",
                                verbose_name=_("network"))
    held_on = models.DateField(_("date"))
    place = models.ForeignKey(Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                              verbose_name=_("place"))
    place_text = models.CharField(_("other place"), max_length=200, blank=True)
    format = models.CharField(_("individual or collective"), max_length=20, choices=ClairvisionFormat.choices)
    participants = models.PositiveIntegerField(_("participants"), validators=[MinValueValidator(1),
                                                                               MaxValueValidator(500)])
    themes = models.JSONField(_("themes"), default=list)
    themes_other = models.CharField(_("other themes"), max_length=300, blank=True)
    psychologist = models.ForeignKey(Psychologist, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="clairvisions", verbose_name=_("psychologist"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("clairvision")
        verbose_name_plural = _("clairvisions")
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["network", "-held_on"], name="care_clairvision_net_date")]
        constraints = [
            models.CheckConstraint(condition=models.Q(participants__gte=1), name="care_clairvision_participants"),
            models.CheckConstraint(condition=~models.Q(format="individual") | models.Q(participants=1),
                                   name="care_individual_clairvision_one_person"),
        ]

    def __str__(self):
        return f"{self.held_on:%d/%m/%Y} {self.place_label}"

    @property
    def place_label(self):
        return self.place.name if self.place_id else self.place_text

    def get_theme_labels(self):
        labels = [Theme(t).label for t in self.themes if t in Theme.values and t != Theme.OTHER]
        return labels + ([self.themes_other] if self.themes_other else [])


# ---- outreaching eligibility ------------------------------------------------------------------------------


class PlaceTypeEligibility(models.Model):
    """Whether sessions at a kind of place count as outreaching (seed 003, "L'outreaching et les lieux
    d'accroche"): a place not labelled mental health, outside the private practice and services dedicated to
    mental-health care, outside what other funding covers — or the person's home."""

    place_kind = models.CharField(_("type of place"), max_length=30, choices=OrganisationKind.choices, unique=True)
    eligible = models.BooleanField(_("eligible for outreaching"))
    reason_fr = models.TextField(_("reason (French)"))
    reason_nl = models.TextField(_("reason (Dutch)"))
    source = models.CharField(_("source"), max_length=200)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("outreaching eligibility of a type of place")
        verbose_name_plural = _("outreaching eligibility of types of place")
        ordering = ["place_kind"]

    def __str__(self):
        return self.get_place_kind_display()

    @property
    def reason(self):
        return _localised(self, "reason")


class PlaceEligibilityOverride(models.Model):
    """The eligibility of one organisation when its type says otherwise, e.g. a service de santé mentale recorded
    with the type "other"."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="eligibility_override",
                                        verbose_name=_("organisation"))
    eligible = models.BooleanField(_("eligible for outreaching"))
    reason = models.TextField(_("reason"))
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    set_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("outreaching eligibility of a place")
        verbose_name_plural = _("outreaching eligibility of places")

    def __str__(self):
        return str(self.organisation)

    @property
    def network_id(self):
        return self.organisation.network_id


# ---- budget rules per offer -----------------------------------------------------------------------------


class OfferBudgetRule(models.Model):
    """The budget rule of an offer from a date (seed 003: "Depuis juin 2023, et selon certaines conditions, il n'y
    a plus de limite budgétaire pour ces trois types de projets partenariaux")."""

    offer = models.CharField(_("offer"), max_length=20, choices=OfferKind.choices)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    has_budget_limit = models.BooleanField(_("budget limit"), default=False)
    text_fr = models.TextField(_("rule (French)"))
    text_nl = models.TextField(_("rule (Dutch)"))
    status = models.CharField(_("status"), max_length=20, choices=RuleStatus.choices, default=RuleStatus.SEED)
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("budget rule of an offer")
        verbose_name_plural = _("budget rules of offers")
        ordering = ["offer", "-valid_from"]
        constraints = [models.UniqueConstraint(fields=["offer", "valid_from"], name="care_one_budget_rule_per_day")]

    def __str__(self):
        return f"{self.get_offer_display()} {self.valid_from:%d/%m/%Y}"

    @property
    def text(self):
        return _localised(self, "text")


class NetworkOfferCondition(models.Model):
    """The conditions a network recorded for an offer without a budget limit."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="offer_conditions")
    offer = models.CharField(_("offer"), max_length=20, choices=OfferKind.choices)
    conditions = models.TextField(_("conditions"))
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("network conditions of an offer")
        verbose_name_plural = _("network conditions of offers")
        constraints = [models.UniqueConstraint(fields=["network", "offer"], name="care_one_condition_per_offer")]

    def __str__(self):
        return f"{self.network.code} {self.get_offer_display()}"
