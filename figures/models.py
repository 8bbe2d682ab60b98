"""The year in figures (issue 9): information moments for places of contact and the convention's operating
costs (seed 001, pseudocode 727112), and the figures frozen with a report when the committee validates it.

The figures themselves are never stored as rows: :mod:`figures.selectors` computes them from what the other
parts of the portal hold; a :class:`FiguresSnapshot` keeps the validated version as JSON."""
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from psynet.models import Network, Organisation, Psychologist, Zone


class AudienceType(models.TextChoices):
    """Seed 001 "Mieux informer et inspirer": GP circles, GLEM/LOK, team meetings, (evening) meetings at places."""

    GP_CIRCLE = "gp_circle", _("GP circle")
    GLEM_LOK = "glem_lok", _("GLEM / LOK (GP peer group)")
    TEAM_MEETING = "team_meeting", _("team meeting at a place of contact")
    EVENING_MEETING = "evening_meeting", _("evening meeting at a place of contact")
    FIRST_LINE_ZONE = "first_line_zone", _("first-line zone meeting")
    OTHER = "other", _("other audience")


class InformationMoment(models.Model):
    """A moment where the network presents its offer to first-line actors (seed 001). Its cost may be claimed
    on the convention's operating costs (pseudocode 727112)."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="information_moments",
                                verbose_name=_("network"))
    zone = models.ForeignKey(Zone, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                             verbose_name=_("zone"))
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200)
    organisation = models.ForeignKey(Organisation, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("place of contact"))
    audience_type = models.CharField(_("audience"), max_length=30, choices=AudienceType.choices)
    participants = models.PositiveIntegerField(_("number of participants"),
                                               validators=[MinValueValidator(1), MaxValueValidator(2000)])
    coordinators = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+",
                                          verbose_name=_("coordinators who spoke"))
    psychologists = models.ManyToManyField(Psychologist, blank=True, related_name="+",
                                           verbose_name=_("psychologists who spoke"))
    other_speakers = models.CharField(_("other speakers"), max_length=300, blank=True)
    topic = models.CharField(_("topic"), max_length=300)
    cost = models.DecimalField(_("cost"), max_digits=10, decimal_places=2, default=0,
                               validators=[MinValueValidator(0)])
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("information moment")
        verbose_name_plural = _("information moments")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["network", "date"])]
        constraints = [models.CheckConstraint(condition=models.Q(cost__gte=0), name="figures_moment_cost_positive")]

    def __str__(self):
        return f"{self.date:%d/%m/%Y} – {self.topic}"

    def get_absolute_url(self):
        return reverse("figures:moment_update", args=[self.pk])


class OperatingCost(models.Model):
    """A claim on the convention's operating costs (pseudocode 727112) for a year, kept by admin staff."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="operating_costs",
                                verbose_name=_("network"))
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2019), MaxValueValidator(2100)])
    date = models.DateField(_("date"))
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2,
                                 validators=[MinValueValidator(0.01)])
    purpose = models.CharField(_("what for"), max_length=300)
    pseudocode = models.CharField(_("pseudocode"), max_length=10, default="727112")
    information_moments = models.ManyToManyField(InformationMoment, blank=True, related_name="operating_costs",
                                                 verbose_name=_("information moments"))
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("operating cost claim")
        verbose_name_plural = _("operating cost claims")
        ordering = ["-year", "-date", "-pk"]
        indexes = [models.Index(fields=["network", "year"])]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="figures_cost_positive")]

    def __str__(self):
        return f"{self.year} – {self.purpose}"

    def get_absolute_url(self):
        return reverse("figures:cost_update", args=[self.pk])


class SnapshotFrozen(Exception):
    pass


class FiguresSnapshot(models.Model):
    """The figures of a report's year as they were when the committee validated it. Never updated: a report
    reopened and validated again gets a new snapshot (services.snapshot_take), the old one is kept in the audit."""

    report = models.OneToOneField("annual_reports.AnnualReport", on_delete=models.CASCADE,
                                  related_name="figures_snapshot", verbose_name=_("report"))
    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    figures = models.JSONField(_("figures"))
    totals = models.JSONField(_("key totals"), default=dict, help_text=_("The headline numbers, for the overview."))
    taken_at = models.DateTimeField(_("taken at"), default=timezone.now)
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("figures snapshot")
        verbose_name_plural = _("figures snapshots")
        ordering = ["-taken_at"]

    def __str__(self):
        return f"{self.network_id} {self.year} {self.taken_at:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise SnapshotFrozen("A figures snapshot is never changed.")
        super().save(*args, **kwargs)
