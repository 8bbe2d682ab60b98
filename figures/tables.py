"""The figures as labelled tables (for the report answers, the pages and the PDF annex) and bar charts.

Tables are built from the plain figures dict at render time, in the active language: a snapshot stores codes
and numbers only, so the same frozen figures print in French or Dutch."""
import re
from dataclasses import dataclass, field

from django.utils.formats import number_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from psynet.charts import bars
from psynet.models import Function, OrganisationKind

from .models import AudienceType

PRIORITY_LABELS = {
    "gp": gettext_lazy("GP practices"),
    "school_cpms": gettext_lazy("schools and CPMS"),
    "youth_aid": gettext_lazy("youth aid (AMO, OverKophuis)"),
    "other": gettext_lazy("other places"),
}

# Which tables each template question that asks for figures receives ("insert the year's figures").
QUESTION_TABLES = {
    "target_outreach_a": ["requests_place", "requests_zone", "requests_outcome", "agreements_place",
                          "agreements_modality"],
    "target_gps_b": ["article8_priority"],
    "target_schools_b": ["article8_priority"],
    "target_youth_aid_b": ["article8_priority"],
    "target_beneficiaries_b": ["beneficiaries", "beneficiaries_band"],
    "target_detainees_d": ["detainees"],
    "target_eating_disorders_d": ["eating_disorders"],
    "target_eating_disorders_e": ["eating_disorders"],
    "services_group_a": ["sessions_function", "sessions_setting", "groups"],
    "services_group_b": ["sessions_function", "sessions_setting", "groups"],
    "services_article8_a": ["article8_priority", "moments"],
    "services_article8_b": ["article8_type", "article8_priority", "article8_contact", "moments", "priorities"],
    "finance_billing_a": ["finance"],
}
# Questions answered by one number: "insert the year's figures" writes the number itself.
QUESTION_NUMBERS = {
    "target_eating_disorders_d": ("eating_disorders", "psychologists"),
    "target_eating_disorders_e": ("eating_disorders", "group_sessions"),
}


def number_for_question(question, figures):
    """The figure that answers a number question, or None when the portal does not compute it."""
    path = QUESTION_NUMBERS.get(question.code)
    if path is None:
        return None
    value = figures
    for key in path:
        value = (value or {}).get(key)
    return value


CHAPTER_TABLES = {
    "target_groups": ["requests_place", "beneficiaries"],
    "services": ["sessions_function", "sessions_setting", "article8_type"],
    "finance_billing": ["finance"],
}


@dataclass
class Table:
    key: str
    title: str
    headers: list
    rows: list = field(default_factory=list)
    note: str = ""

    @property
    def is_empty(self):
        return is_empty(self)


def _n(value, decimals=0):
    if value is None:
        return "–"
    if isinstance(value, float) and not value.is_integer():
        decimals = max(decimals, 1)
    return number_format(value, decimals, force_grouping=True)


def _pct(value):
    return "–" if value is None else f"{number_format(value, 1)} %"


def _eur(value):
    return f"{number_format(value or 0, 2, force_grouping=True)}\xa0€"


def _label(choices, key):
    try:
        return capfirst(str(dict(choices)[key]))  # a row's label: capitalised like the other rows
    except KeyError:
        return str(key) if key not in (None, "") else _("not recorded")


def _labels():
    from billing.models import Band, Format, Setting
    from partnerships.choices import Modality, Outcome, Status

    from article8.models import MissionType

    return {
        "place": OrganisationKind.choices, "outcome": [*Outcome.choices, ("ongoing", _("ongoing"))],
        "status": Status.choices, "modality": Modality.choices, "mission": MissionType.choices,
        "audience": AudienceType.choices, "function": Function.choices, "setting": Setting.choices,
        "band": Band.choices, "format": Format.choices,
    }


def build_tables(figures):
    """Every table of the figures, keyed: {key: Table}."""
    L = _labels()
    year = figures["year"]
    req, agr, a8, ses = figures["requests"], figures["agreements"], figures["article8"], figures["sessions"]
    ben, fin, det = figures["beneficiaries"], figures["finance"], figures.get("detainees") or {}
    moments = a8.get("information_moments") or {}
    t = {}
    t["requests_place"] = Table(
        "requests_place", _("Collaboration requests %(year)s by type of place") % {"year": year},
        [_("Type of place"), _("Requests"), _("First contact within 10 working days")],
        [[_label(L["place"], k), _n(v), _n(req["within_by_place_type"].get(k, 0))]
         for k, v in req["by_place_type"].items()]
        + [[_("Total"), _n(req["total"]), _n(req["contacted_within_10_days"])]],
        note=_("Share first contacted within 10 working days: %(share)s") % {"share": _pct(
            req["contacted_within_share"])})
    t["requests_zone"] = Table(
        "requests_zone", _("Collaboration requests %(year)s by zone") % {"year": year},
        [_("Zone"), _("Requests")],
        [[k, _n(v)] for k, v in req["by_zone"].items()],
        note=_("A request from a place on the border of two zones counts in each."))
    t["requests_outcome"] = Table(
        "requests_outcome", _("Collaboration requests %(year)s by outcome") % {"year": year},
        [_("Outcome"), _("Requests")],
        [[_label(L["outcome"], k), _n(v)] for k, v in req["by_outcome"].items()]
        + [[_("Total"), _n(req["total"])]])
    t["agreements_place"] = Table(
        "agreements_place", _("Tripartite agreements in force in %(year)s by type of place") % {"year": year},
        [_("Type of place"), _("Agreements")],
        [[_label(L["place"], k), _n(v)] for k, v in agr["by_place_type"].items()]
        + [[_("Total"), _n(agr["active"])]])
    t["agreements_modality"] = Table(
        "agreements_modality", _("Tripartite agreements in force in %(year)s by modality") % {"year": year},
        [_("Modality"), _("Agreements")],
        [[_label(L["modality"], k), _n(v)] for k, v in agr["by_modality"].items()])
    t["article8_type"] = Table(
        "article8_type", _("Article 8 missions %(year)s by mission type") % {"year": year},
        [_("Mission type"), _("Missions"), _("Hours reserved"), _("Hours delivered")],
        [[_label(L["mission"], k), _n(v["missions"]), _n(v["hours_reserved"]), _n(v["hours_delivered"])]
         for k, v in a8["by_mission_type"].items()]
        + [[_("Total"), _n(a8["missions"]), _n(a8["hours_reserved"]), _n(a8["hours_delivered"])]])
    t["article8_priority"] = Table(
        "article8_priority", _("Article 8 missions %(year)s by priority place") % {"year": year},
        [_("Places"), _("Missions"), _("Hours delivered")],
        [[capfirst(str(PRIORITY_LABELS[k])), _n(v["missions"]), _n(v["hours_delivered"])]
         for k, v in a8["by_priority_place"].items()])
    t["article8_contact"] = Table(
        "article8_contact", _("Article 8 in %(year)s: activities, contact hours, information") % {"year": year},
        [_("Figure"), _("Value")],
        [[_("Activities delivered"), _n(a8["activities"])], [_("Participants in activities"), _n(a8["participants"])],
         [_("Contact hours offered (slots)"), _n(a8["contact_hours"]["slots"])],
         [_("Contact hours offered per week"), _n(a8["contact_hours"]["hours_per_week"])],
         [_("Information moments held"), _n(moments.get("count", 0))],
         [_("People reached by information moments"), _n(moments.get("participants", 0))],
         [_("Share of the article 8 budget used"), _pct(a8.get("use_percent"))]])
    t["moments"] = Table(
        "moments", _("Information moments %(year)s by audience") % {"year": year},
        [_("Audience"), _("Moments"), _("Participants"), _("Cost")],
        [[_label(L["audience"], k), _n(v["count"]), _n(v["participants"]), _eur(v["cost"])]
         for k, v in (moments.get("by_audience") or {}).items()]
        + [[_("Total"), _n(moments.get("count", 0)), _n(moments.get("participants", 0)), _eur(moments.get("cost"))]])
    t["sessions_function"] = Table(
        "sessions_function", _("Sessions %(year)s by function") % {"year": year}, [_("Function"), _("Sessions")],
        [[_label(L["function"], k), _n(v)] for k, v in ses["by_function"].items()]
        + [[_("Total"), _n(ses["total"])]])
    t["sessions_setting"] = Table(
        "sessions_setting", _("Sessions %(year)s by setting") % {"year": year}, [_("Setting"), _("Sessions")],
        [[_label(L["setting"], k), _n(v)] for k, v in ses["by_setting"].items()]
        + [[_("Total"), _n(ses["total"])]],
        note=_share_and_clairvisions(ses))
    t["priorities"] = _priority_table(figures, year)
    t["groups"] = Table(
        "groups", _("Group sessions %(year)s") % {"year": year}, [_("Figure"), _("Value")],
        [[_("Individual sessions"), _n(ses["individual"])], [_("Group sessions"), _n(ses["group"])],
         [_("Participations in group sessions"), _n(ses["group_participants"])],
         [_("Head count of F1 community sessions"), _n(ses["community_head_count"])]])
    t["detainees"] = Table(
        "detainees", _("Care in prisons %(year)s") % {"year": year}, [_("Figure"), _("Value")],
        [[_("Psychologists engaged in prisons"), _n(det.get("psychologists", 0))],
         [_("Individual sessions in prisons"), _n(det.get("sessions", 0))],
         [_("Detainees seen"), _n(det.get("patients", 0))],
         [_("Group sessions in prisons"), _n(det.get("group_sessions", 0))]])
    eat = figures.get("eating_disorders") or {}  # absent from snapshots frozen before it was computed
    t["eating_disorders"] = Table(
        "eating_disorders", _("Eating-disorder care path %(year)s") % {"year": year}, [_("Figure"), _("Value")],
        [[_("Psychologists engaged in the care path"), _n(eat.get("psychologists", 0))],
         [_("Patients in the care path"), _n(eat.get("patients", 0))],
         [_("Individual sessions"), _n(eat.get("individual_sessions", 0))],
         [_("Group sessions these patients had"), _n(eat.get("group_sessions", 0))]],
        note=_("Sessions marked as within the eating-disorder care path when registered or imported."))
    t["beneficiaries"] = Table(
        "beneficiaries", _("Unique beneficiaries %(year)s by zone and age band") % {"year": year},
        [_("Zone"), _("Age band"), _("Beneficiaries"), _("Population"), _("Per 1,000 inhabitants")],
        [[r["zone"] or _("no zone"), _label(L["band"], r["band"]), _n(r["count"]), _n(r["population"]),
          _n(r["per_thousand"], 2)] for r in ben["by_zone"]]
        + [[_("Network"), "", _n(ben["total"]), _n(ben["population"]), _n(ben["per_thousand"], 2)]],
        note=_("Population: Statbel, municipalities of each zone; a patient seen in two zones counts in both."))
    t["beneficiaries_band"] = Table(
        "beneficiaries_band", _("Unique beneficiaries %(year)s by age band") % {"year": year},
        [_("Age band"), _("Beneficiaries")],
        [[_label(L["band"], k), _n(v)] for k, v in ben["by_band"].items()] + [[_("Total"), _n(ben["total"])]])
    t["finance"] = Table(
        "finance", _("Finance %(year)s") % {"year": year}, [_("Item"), _("Amount")],
        [[_("Care budget used (fees and lump sums)"), _eur(fin["care_budget_used"])],
         [_("of which individual session fees"), _eur(fin["session_fees"])],
         [_("of which yearly lump sums"), _eur(fin["lump_sums"])],
         [_("of which group session fees"), _eur(fin["group_fees"])],
         [_("Article 8 delivered (hours × hourly amount)"), _eur(fin["article8_delivered_eur"])],
         [_("Article 8 budget"), _eur(fin["article8_budget_eur"])],
         [_("Operating costs claimed (pseudocode 727112)"), _eur(fin["operating_costs"])],
         [_("of which information moments"), _eur(fin["information_moments_cost"])]])
    return t


def _share_and_clairvisions(ses):
    clair = ses.get("clairvisions")
    if not clair:  # a snapshot taken before clairvisions were recorded
        return _("Share of outreaching (at a partner): %(share)s. Clairvisions: not recorded.") % {
            "share": _pct(ses["outreach_share"])}
    return _("Share of outreaching (at a partner): %(share)s. Clairvisions held: %(total)s (%(individual)s "
             "individual, %(collective)s collective), %(participants)s participants.") % {
        "share": _pct(ses["outreach_share"]), "total": _n(clair["total"]), "individual": _n(clair["individual"]),
        "collective": _n(clair["collective"]), "participants": _n(clair["participants"])}


def _priority_table(figures, year):
    """Activity per network priority (issue 10). Item kinds are stored as English message ids."""
    from django.utils.translation import get_language

    nl = (get_language() or "fr")[:2] == "nl"
    rows = []
    for p in figures.get("priorities") or []:
        items = ", ".join(f"{_(kind)}: {_n(n)}" for kind, n in p["items"].items()) or "–"
        a8 = p.get("article8") or {}
        rows.append([p["name_nl"] if nl and p["name_nl"] else p["name_fr"], items, _n(p["clairvisions"]),
                     _n(p["participants"]), _n(a8.get("missions", 0)), _n(a8.get("hours_delivered", 0))])
    return Table(
        "priorities", _("Activity per network priority %(year)s") % {"year": year},
        [_("Priority"), _("Items tagged in the year"), _("Clairvisions"), _("Clairvision participants"),
         _("Article 8 missions"), _("Article 8 hours delivered")], rows,
        note="" if rows else _("The network has no priority recorded."))


def tables_for_question(question, figures):
    keys = QUESTION_TABLES.get(question.code) or CHAPTER_TABLES.get(question.chapter_code) or []
    tables = build_tables(figures)
    return [tables[k] for k in keys]


def is_empty(table):
    """No row, or nothing but zeros in its figures (a total of 0): the table says nothing."""
    return not any(re.search(r"[1-9]", str(c)) for row in table.rows for c in row[1:])


def merge_into(text, tables):
    """The answer ``text`` with the tables inserted: a table already in it (found by its bold title line, as
    inserted before) is replaced where it stands with today's figures, with its note; the others are added at the
    end. The coordinator's own paragraphs are left as they are."""
    paragraphs = [p for p in re.split(r"\n[ \t]*\n", (text or "").strip()) if p.strip()]
    appended = []
    for table in tables:
        block = markdown([table]).split("\n\n")
        title = f"**{table.title}**"
        if title not in [p.strip() for p in paragraphs]:
            appended.extend(block)
            continue
        start = [p.strip() for p in paragraphs].index(title)
        end = start + 1
        if end < len(paragraphs) and (paragraphs[end].lstrip().startswith("|")
                                      or paragraphs[end].strip() == _("Nothing recorded in the portal.")):
            end += 1
            if table.note and end < len(paragraphs) and not paragraphs[end].lstrip().startswith(("|", "**")):
                end += 1  # the table's note, written with the figures of the last insertion
        paragraphs[start:end] = block
    return "\n\n".join(paragraphs + appended).strip()


def markdown(tables):
    """Plain-text/Markdown tables, readable as typed text and editable by the coordinator."""
    out = []
    for table in tables:
        out.append(f"**{table.title}**")
        out.append("")
        if table.is_empty:
            out.append(_("Nothing recorded in the portal."))
            out.append("")
            continue
        out.append("| " + " | ".join(table.headers) + " |")
        out.append("|" + "|".join(["---"] + ["---:"] * (len(table.headers) - 1)) + "|")
        for row in table.rows:
            out.append("| " + " | ".join(str(c) for c in row) + " |")
        if table.note:
            out.append("")
            out.append(table.note)
        out.append("")
    return "\n".join(out).strip()


# ---- charts ---------------------------------------------------------------------------------------------------

def charts(figures):
    """Bar charts for the annex and the pages: geometry from the core's chart helper, drawn in black on white
    with the value printed at the end of each bar, so they read without colour."""
    L = _labels()
    ses, a8, req, ben = figures["sessions"], figures["article8"], figures["requests"], figures["beneficiaries"]
    out = []

    def add(key, title, rows):
        rows = [(label, value) for label, value in rows if value]
        if rows:
            out.append({"key": key, "title": title, **bars(rows)})

    add("setting", _("Sessions by setting"), [(_label(L["setting"], k), v) for k, v in ses["by_setting"].items()])
    add("article8", _("Article 8 hours delivered by priority place"),
        [(capfirst(str(PRIORITY_LABELS[k])), v["hours_delivered"]) for k, v in a8["by_priority_place"].items()])
    add("requests", _("Collaboration requests by type of place"),
        [(_label(L["place"], k), v) for k, v in req["by_place_type"].items()])
    add("beneficiaries", _("Beneficiaries per 1,000 inhabitants by zone"),
        [(f"{r['zone'] or _('no zone')} · {_label(L['band'], r['band'])}", r["per_thousand"] or 0)
         for r in ben["by_zone"]])
    return out


def key_figure_labels():
    return {
        "requests": _("Collaboration requests"), "agreements": _("Agreements in force"),
        "article8_missions": _("Article 8 missions"), "article8_hours": _("Article 8 hours delivered"),
        "information_moments": _("Information moments"), "sessions": _("Sessions"),
        "group_sessions": _("Group sessions"), "beneficiaries": _("Unique beneficiaries"),
        "care_budget_used": _("Care budget used"), "operating_costs": _("Operating costs claimed"),
    }


MONEY_KEYS = {"care_budget_used", "operating_costs"}


def format_key(key, value):
    return _eur(value) if key in MONEY_KEYS else _n(value)
