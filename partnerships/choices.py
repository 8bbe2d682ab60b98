"""Choice lists of the partnership request and the tripartite agreement (seeds 003 and 004, DESIGN.md).

Each list is a TextChoices with translated labels; the values are stored and never shown."""
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from psynet.models import NetworkKind, OrganisationKind

# The list of places: the core's organisation kinds without "employer".
PLACE_TYPES = [(value, label) for value, label in OrganisationKind.choices if value != OrganisationKind.EMPLOYER]


class AgeGroup(models.TextChoices):
    EARLY_CHILDHOOD = "0_2", _("infants and toddlers (0–2, the first 1,000 days)")
    CHILDREN = "3_11", _("children (3–11)")
    ADOLESCENTS = "12_17", _("adolescents (12–17)")
    YOUNG_ADULTS = "18_23", _("young adults (18–23)")
    ADULTS = "24_64", _("adults (24–64)")
    OLDER = "65_plus", _("older people (65 and over)")
    UNSURE = "unsure", _("we do not know yet")


# Ages covered by each group: the children/adolescents network takes people up to 23, the adults network
# from 15 (DESIGN.md "Billing", domain-facts §3.1), so each group maps onto the kinds of network that can serve it.
AGE_RANGES = {
    AgeGroup.EARLY_CHILDHOOD: (0, 2),
    AgeGroup.CHILDREN: (3, 11),
    AgeGroup.ADOLESCENTS: (12, 17),
    AgeGroup.YOUNG_ADULTS: (18, 23),
    AgeGroup.ADULTS: (24, 64),
    AgeGroup.OLDER: (65, 130),
}
CHILDREN_MAX_AGE = 23
ADULTS_MIN_AGE = 15


def kinds_serving(age_group):
    """The network kinds whose age band covers the whole group."""
    low, high = AGE_RANGES[age_group]
    kinds = set()
    if high <= CHILDREN_MAX_AGE:
        kinds.add(NetworkKind.CHILDREN)
    if low >= ADULTS_MIN_AGE:
        kinds.add(NetworkKind.ADULTS)
    return kinds


class VulnerableGroup(models.TextChoices):
    PRECARITY = "precarity", _("people in financial insecurity")
    MIGRANTS = "migrants", _("migrants, refugees and asylum seekers")
    DISABILITY = "disability", _("people with a disability")
    ISOLATION = "isolation", _("isolated people")
    HOMELESS = "homeless", _("homeless people")
    NEET = "neet", _("young people not in education, employment or training")
    DETAINEES = "detainees", _("detainees")
    SINGLE_PARENTS = "single_parents", _("single-parent families")
    CAREGIVERS = "caregivers", _("informal carers")
    LGBTQIA = "lgbtqia", _("LGBTQIA+ people")


class Offer(models.TextChoices):
    """What the partner asks for: the mission types of seed 003 and the four article 8 missions (seed 001)."""

    OUTREACHING = "outreaching", _("individual sessions at our place (outreaching)")
    GROUP = "group", _("group sessions")
    CLAIRVISION = "clairvision", _("clairvisions (mental-health information sessions)")
    HOME = "home", _("consultations at home")
    VIDEO = "video", _("video consultations")
    ART8_PLACE = "art8_place", _("article 8: support for the work in our place")
    ART8_ADVICE = "art8_advice", _("article 8: advice and support about one or more persons")
    ART8_COCONSULTATION = "art8_coconsultation", _("article 8: co-consultation with a psychologist")
    ART8_KNOWLEDGE = "art8_knowledge", _("article 8: sharing knowledge and expertise with our team")


ARTICLE8_OFFERS = [Offer.ART8_PLACE, Offer.ART8_ADVICE, Offer.ART8_COCONSULTATION, Offer.ART8_KNOWLEDGE]


# ---- the partner questionnaire (seed 004) -------------------------------------------------------------------


class Problem(models.TextChoices):
    """The problems a first-line service meets with its public (seed 004's examples)."""

    SCHOOL_DROPOUT = "school_dropout", _("school dropout")
    EATING = "eating", _("eating problems")
    BULLYING = "bullying", _("bullying")
    FEAR_OF_FAILURE = "fear_of_failure", _("fear of failure")
    PERFECTIONISM = "perfectionism", _("perfectionism")
    LOW_MOOD = "low_mood", _("low mood")
    RELATIONSHIPS = "relationships", _("relationship problems")
    ANXIETY = "anxiety", _("anxiety")
    OTHER = "other", pgettext_lazy("problem met", "other")


class OwnProvider(models.TextChoices):
    """Has the service its own care or aid provider? A co-consultation is held with them (seed 004)."""

    YES = "yes", _("yes, a care or aid provider works in our service")
    NO = "no", _("no")


class Support(models.TextChoices):
    """The support a first-line service may ask for (seed 004): all of them are article 8 missions."""

    ADVICE = "advice", _("advice about a specific person")
    CO_CONSULTATION = "co_consultation", _("a co-consultation with our own care or aid provider")
    TEAM_MEETING = "team_meeting", _("the psychologist at one of our team meetings to discuss situations")
    SHARED_HOUR = "shared_hour", _("a fixed weekly hour shared by several services")
    KNOWLEDGE = "knowledge", _("sharing knowledge on mental-health themes with our team")


# Each support onto article8.models.MissionType: a team meeting and a shared weekly hour are advice about persons
# (the circular's "fixed contact hour"), the rest map one to one.
SUPPORT_MISSION_TYPES = {
    Support.ADVICE: "advice",
    Support.CO_CONSULTATION: "co_consultation",
    Support.TEAM_MEETING: "advice",
    Support.SHARED_HOUR: "advice",
    Support.KNOWLEDGE: "knowledge_sharing",
}
CO_APPLICANT_ROWS = 3


class EmployInterest(models.TextChoices):
    NO = "no", _("no")
    MAYBE = "maybe", _("perhaps, we would like to discuss it")
    YES = "yes", _("yes")


class Status(models.TextChoices):
    RECEIVED = "received", _("received")
    ASSIGNED = "assigned", _("assigned to a coordinator")
    CONTACTED = "contacted", _("contacted")
    NEEDS_ANALYSED = "needs_analysed", _("needs analysed")
    PSYCHOLOGIST_PROPOSED = "psychologist_proposed", _("psychologist proposed")
    AGREEMENT = "agreement", _("agreement in preparation")
    ACTIVE = "active", pgettext_lazy("request status", "active")
    CLOSED = "closed", pgettext_lazy("request status", "closed")


OPEN_STATUSES = [s for s in Status.values if s != Status.CLOSED]
# Still waiting for the first contact: the 10-working-day limit and its reminders apply to these.
AWAITING_CONTACT = [Status.RECEIVED, Status.ASSIGNED]


class Outcome(models.TextChoices):
    DECLINED = "declined", _("declined")
    WITHDRAWN = "withdrawn", _("withdrawn")
    COMPLETED = "completed", _("completed")


class ContactChannel(models.TextChoices):
    PHONE = "phone", _("phone")
    EMAIL = "email", _("e-mail")
    MEETING = "meeting", _("meeting")
    VIDEO = "video", _("video call")


class EventKind(models.TextChoices):
    PARTNER_MESSAGE = "partner_message", _("message from the partner")
    COORDINATOR_MESSAGE = "coordinator_message", _("message to the partner")
    NOTE = "note", _("internal note")
    CONTACT = "contact", _("contact")
    SYSTEM = "system", _("event")


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SENT = "sent", _("sent for signature")
    DECLINED = "declined", _("declined by a party")
    SIGNED = "signed", _("signed by all three parties")
    ACTIVE = "active", pgettext_lazy("agreement status", "active")
    ENDED = "ended", _("ended")
    TERMINATED = "terminated", _("terminated")


class Party(models.TextChoices):
    PARTNER = "partner", _("partner")
    PSYCHOLOGIST = "psychologist", _("psychologist")
    NETWORK = "network", pgettext_lazy("signing party", "network")


DEFAULT_SIGNING_ORDER = [Party.PARTNER, Party.PSYCHOLOGIST, Party.NETWORK]


class Modality(models.TextChoices):
    INDIVIDUAL = "individual", _("individual sessions at the partner (outreaching)")
    GROUP = "group", _("group sessions")
    HOME = "home", _("consultations at home")
    VIDEO = "video", _("video consultations")
    CLAIRVISION = "clairvision", _("clairvisions")


class Article8Mission(models.TextChoices):
    PLACE = "place", _("support for the work in the place")
    ADVICE = "advice", _("advice and support about one or more persons")
    COCONSULTATION = "coconsultation", _("co-consultation")
    KNOWLEDGE = "knowledge", _("sharing knowledge and expertise with a group of actors")


class CoFacilitator(models.TextChoices):
    PARTNER_STAFF = "partner_staff", _("a member of the partner's staff")
    PROFESSIONAL = "professional", _("another care or support professional")
    EXPERT = "expert", _("an expert by experience")


class HoursUnit(models.TextChoices):
    WEEK = "week", _("per week")
    MONTH = "month", _("per month")
