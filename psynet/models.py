"""The shared core: networks, zones, municipalities, psychologists, users and memberships,
audit trail and notifications. Domain apps build on these; this module imports none of them."""
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Language(models.TextChoices):
    FR = "fr", _("French")
    NL = "nl", _("Dutch")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with an e-mail address. Roles come from memberships, not from here."""

    email = models.EmailField(_("e-mail address"), unique=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.FR)
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    is_federal_viewer = models.BooleanField(_("federal viewer"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name", "email"]

    def __str__(self):
        return self.get_full_name() or self.email

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self):
        return self.first_name or self.email


class Municipality(models.Model):
    """A Belgian municipality as Statbel publishes it (REFNIS/NIS code)."""

    nis_code = models.CharField(_("NIS code"), max_length=5, unique=True)
    name_fr = models.CharField(_("name (French)"), max_length=100)
    name_nl = models.CharField(_("name (Dutch)"), max_length=100)
    name_de = models.CharField(_("name (German)"), max_length=100, blank=True)
    region = models.CharField(_("region"), max_length=20)
    province_nis = models.CharField(_("province NIS code"), max_length=5, blank=True, db_index=True)
    province_fr = models.CharField(_("province (French)"), max_length=100, blank=True)
    province_nl = models.CharField(_("province (Dutch)"), max_length=100, blank=True)
    arrondissement_nis = models.CharField(_("arrondissement NIS code"), max_length=5, blank=True)
    arrondissement_fr = models.CharField(_("arrondissement (French)"), max_length=100, blank=True)
    arrondissement_nl = models.CharField(_("arrondissement (Dutch)"), max_length=100, blank=True)
    population = models.PositiveIntegerField(_("population"), default=0)

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name_fr"]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return self.name_nl if get_language() == "nl" else self.name_fr


class PostalCode(models.Model):
    code = models.CharField(_("postal code"), max_length=4, db_index=True)
    locality = models.CharField(_("locality"), max_length=100)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="postal_codes", verbose_name=_("municipality")
    )

    class Meta:
        verbose_name = _("postal code")
        verbose_name_plural = _("postal codes")
        ordering = ["code", "locality"]
        constraints = [models.UniqueConstraint(fields=["code", "locality"], name="unique_postal_code_locality")]

    def __str__(self):
        return f"{self.code} {self.locality}"


class NetworkKind(models.TextChoices):
    CHILDREN = "children", _("Children and adolescents (0–23)")
    ADULTS = "adults", _("Adults (from 15)")


class Network(models.Model):
    """A mental-health network that signed the convention with the Insurance Committee."""

    code = models.CharField(_("code"), max_length=20, unique=True, help_text=_("Short code, e.g. RSN."))
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=NetworkKind.choices)
    province_nis = models.CharField(_("province NIS code"), max_length=5, blank=True)
    languages = models.CharField(_("languages"), max_length=20, default="fr", help_text=_("Comma-separated: fr,nl"))
    generic_email = models.EmailField(_("generic e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    collecting_institution = models.CharField(_("collecting institution"), max_length=200, blank=True)
    b4_hospital = models.CharField(_("hospital with B4 agreement"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("network")
        verbose_name_plural = _("networks")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} – {self.name}"

    @property
    def network_id(self):
        return self.pk


class Zone(models.Model):
    """A local coordination area; a municipality may belong to two zones of one network."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="zones", verbose_name=_("network"))
    name = models.CharField(_("name"), max_length=100)
    municipalities = models.ManyToManyField(
        Municipality, related_name="zones", blank=True, verbose_name=_("municipalities")
    )

    class Meta:
        verbose_name = _("zone")
        verbose_name_plural = _("zones")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["network", "name"], name="unique_zone_name_per_network")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("psynet:zone_update", args=[self.pk])

    @property
    def zone_id(self):
        return self.pk


class Role(models.TextChoices):
    NETWORK_COORDINATOR = "network_coordinator", _("network coordinator")
    LOCAL_COORDINATOR = "local_coordinator", _("local coordinator")
    COMMITTEE_MEMBER = "committee_member", _("committee member")
    ADMIN_STAFF = "admin_staff", _("administrative staff")
    PSYCHOLOGIST = "psychologist", _("psychologist")


class Membership(models.Model):
    """A user's role in one network (and zones, for local coordinators)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user"))
    network = models.ForeignKey(
        Network, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("network")
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    zones = models.ManyToManyField(Zone, blank=True, related_name="memberships", verbose_name=_("zones"))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["network__code", "user__last_name"]
        constraints = [models.UniqueConstraint(fields=["user", "network"], name="one_membership_per_network")]

    def __str__(self):
        return f"{self.user} – {self.network.code} – {self.get_role_display()}"


class OrganisationKind(models.TextChoices):
    GP_PRACTICE = "gp_practice", _("GP practice")
    MEDICAL_HOUSE = "medical_house", _("community health centre (maison médicale)")
    SCHOOL = "school", _("school")
    CPMS = "cpms", _("CPMS")
    STUDENT_SERVICE = "student_service", _("higher-education student service")
    YOUTH_AID = "youth_aid", _("AMO / youth aid")
    OVERKOPHUIS = "overkophuis", _("OverKophuis")
    CPAS = "cpas", _("CPAS")
    ONE = "one", _("ONE")
    LOCAL_SERVICE_CENTRE = "local_service_centre", _("local service centre")
    ELDERLY_CARE = "elderly_care", _("elderly care")
    PRISON = "prison", _("prison")
    EMPLOYER = "employer", _("organisation employing psychologists")
    OTHER = "other", pgettext_lazy("organisation kind", "other")


class Organisation(models.Model):
    """A partner or employer organisation known to a network."""

    network = models.ForeignKey(
        Network, on_delete=models.CASCADE, related_name="organisations", verbose_name=_("network")
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("type"), max_length=30, choices=OrganisationKind.choices)
    enterprise_number = models.CharField(_("enterprise number"), max_length=12, blank=True)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("municipality")
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Profession(models.TextChoices):
    PSYCHOLOGIST = "psychologist", _("clinical psychologist")
    ORTHOPEDAGOGUE = "orthopedagogue", _("clinical orthopedagogue")


class Employment(models.TextChoices):
    INDEPENDENT = "independent", _("independent")
    SALARIED = "salaried", _("salaried by an organisation")


class Psychologist(models.Model):
    """A clinical psychologist or orthopedagogue; conventions tie them to networks."""

    user = models.OneToOneField(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="psychologist", verbose_name=_("user")
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    inami_number = models.CharField(_("INAMI number"), max_length=11, unique=True)
    profession = models.CharField(
        _("profession"), max_length=20, choices=Profession.choices, default=Profession.PSYCHOLOGIST
    )
    languages = models.JSONField(_("languages"), default=list)
    employment = models.CharField(
        _("employment"), max_length=20, choices=Employment.choices, default=Employment.INDEPENDENT
    )
    employer = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="employees",
        verbose_name=_("employer"),
    )

    class Meta:
        verbose_name = _("psychologist")
        verbose_name_plural = _("psychologists")
        ordering = ["last_name", "first_name"]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"

    @property
    def inami_display(self):
        n = self.inami_number
        return f"{n[0]}-{n[1:6]}-{n[6:8]}-{n[8:]}" if len(n) == 11 else n


class RuleStatus(models.TextChoices):
    """How sure a rule kept as data is (fees, quotas, budget limits, eligibility): shown beside the rule."""
    CONFIRMED = "confirmed", _("confirmed")
    SEED = "seed", _("from the source documents")
    ASSUMED = "assumed", _("assumed")
    HISTORICAL = "historical", _("historical")


class Function(models.TextChoices):
    FIRST_LINE = "first_line", _("first-line psychological care (2021 model)")
    SPECIALISED = "specialised", _("specialised psychological care (2021 model)")
    F1 = "F1", _("F1 community interventions")
    F2 = "F2", _("F2 first-line psychological support")
    F3 = "F3", _("F3 first-line psychological treatment")


class AgeGroup(models.TextChoices):
    CHILDREN = "children", _("children and adolescents (0–23)")
    ADULTS = "adults", _("adults (from 15)")


class Convention(models.Model):
    """A psychologist's convention with a network: dates, functions, age groups, article 8 hours."""

    psychologist = models.ForeignKey(
        Psychologist, on_delete=models.CASCADE, related_name="conventions", verbose_name=_("psychologist")
    )
    network = models.ForeignKey(
        Network, on_delete=models.CASCADE, related_name="conventions", verbose_name=_("network")
    )
    start_on = models.DateField(_("start date"))
    end_on = models.DateField(_("end date"), null=True, blank=True)
    functions = models.JSONField(_("functions"), default=list)
    age_groups = models.JSONField(_("age groups"), default=list)
    article8_hours_per_year = models.DecimalField(
        _("article 8 hours per year"), max_digits=6, decimal_places=1, default=0
    )
    zones = models.ManyToManyField(Zone, blank=True, related_name="conventions", verbose_name=_("zones"))

    class Meta:
        verbose_name = _("convention")
        verbose_name_plural = _("conventions")
        ordering = ["-start_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_on__isnull=True) | models.Q(end_on__gte=models.F("start_on")),
                name="convention_ends_after_start",
            )
        ]

    def __str__(self):
        return f"{self.psychologist} – {self.network.code}"

    def get_function_labels(self):
        return [Function(f).label for f in self.functions if f in Function.values]

    def get_age_group_labels(self):
        return [AgeGroup(a).label for a in self.age_groups if a in AgeGroup.values]


class AuditEntry(models.Model):
    """Who did what, when, with the values before and after. Never deleted."""

    network = models.ForeignKey(
        Network, on_delete=models.PROTECT, null=True, blank=True, related_name="audit_entries"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    object_repr = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=100, db_index=True)
    actor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    actor_label = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id"]), models.Index(fields=["network", "-at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"

    def delete(self, *args, **kwargs):
        raise RuntimeError("Audit entries are never deleted.")


class Notification(models.Model):
    """An in-app notice, also e-mailed; (recipient, key) is unique so a step is notified once."""

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    network = models.ForeignKey(Network, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    key = models.CharField(max_length=200)
    subject = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    emailed_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["recipient", "key"], name="one_notification_per_step")]

    def __str__(self):
        return self.subject
