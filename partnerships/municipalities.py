"""Find a municipality from what a partner types: a postal code ("5000"), a postal code and locality
("5002 Saint-Servais", as the suggestions offer it), or a municipality name in French, Dutch or German,
accents and case ignored.

The reference data (581 municipalities, the postal codes loaded) is small and changes once a year: it is indexed
in memory per process and rebuilt every ten minutes, so the suggestions answer without a query."""
import re
import threading
import time
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _

from psynet.models import Municipality, PostalCode

INDEX_SECONDS = 600
POSTAL_CODE = re.compile(r"^\s*(\d+)\s*(.*?)\s*$")


def normalise(text):
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return text.strip()


@dataclass(frozen=True)
class Entry:
    label: str
    key: str
    code: str
    municipality_id: int


class _Index:
    def __init__(self):
        self.lock = threading.Lock()
        self.built_at = None  # not 0.0: the monotonic clock starts near 0 on a freshly booted machine
        self.entries = []
        self.by_key = {}
        self.by_code = {}
        self.municipalities = {}

    def _stale(self):
        return self.built_at is None or time.monotonic() - self.built_at > INDEX_SECONDS

    def get(self):
        if self._stale():
            with self.lock:
                if self._stale():
                    self.build()
        return self

    def build(self):
        municipalities = {m.pk: m for m in Municipality.objects.only("pk", "name_fr", "name_nl", "name_de",
                                                                    "province_nis", "nis_code")}
        entries, by_key, by_code = [], {}, {}
        for p in PostalCode.objects.only("code", "locality", "municipality_id").order_by("code", "locality"):
            m = municipalities.get(p.municipality_id)
            if m is None:
                continue
            label = f"{p.code} {p.locality}"
            if normalise(p.locality) != normalise(m.name_fr):
                label += f" ({m.name_fr})"
            entry = Entry(label, normalise(label), p.code, m.pk)
            entries.append(entry)
            by_code.setdefault(p.code, set()).add(m.pk)
            by_key.setdefault(normalise(f"{p.code} {p.locality}"), set()).add(m.pk)
            by_key.setdefault(normalise(p.locality), set()).add(m.pk)
        for m in sorted(municipalities.values(), key=lambda m: m.name_fr):
            for name in {m.name_fr, m.name_nl, m.name_de} - {""}:
                key = normalise(name)
                by_key.setdefault(key, set()).add(m.pk)
                entries.append(Entry(name, key, "", m.pk))
        self.entries, self.by_key, self.by_code, self.municipalities = entries, by_key, by_code, municipalities
        self.built_at = time.monotonic()


_index = _Index()


def reset_index():
    """Forget the in-memory index (tests, imports)."""
    _index.built_at = None


def suggestions(query, limit=10):
    """Labels matching the start of a postal code, a locality or a name (then anywhere in them)."""
    key = normalise(query)
    if len(key) < 2:
        return []
    index = _index.get()
    starts, contains, seen = [], [], set()
    for entry in index.entries:
        if entry.label in seen:
            continue
        if entry.key.startswith(key) or any(word.startswith(key) for word in entry.key.split()):
            starts.append(entry.label)
            seen.add(entry.label)
        elif key in entry.key:
            contains.append(entry.label)
            seen.add(entry.label)
        if len(starts) >= limit:
            break
    return (starts + contains)[:limit]


class MunicipalityNotFound(Exception):
    def __init__(self, message):
        self.message = str(message)
        super().__init__(self.message)


def find(text):
    """The Municipality for ``text``; None for a well-formed Belgian postal code the portal does not know
    (the request then goes to triage); MunicipalityNotFound with a message the partner can act on otherwise."""
    text = (text or "").strip()
    if not text:
        raise MunicipalityNotFound(_("Enter the postal code or the name of the municipality."))
    index = _index.get()
    match = POSTAL_CODE.match(text)
    if match:
        code, rest = match.groups()
        if len(code) != 4 or not 1000 <= int(code) <= 9999:
            raise MunicipalityNotFound(_("A Belgian postal code has four digits, from 1000 to 9999."))
        rest = re.sub(r"\(.*?\)", "", rest).strip()
        ids = index.by_code.get(code, set())
        if rest:
            named = index.by_key.get(normalise(f"{code} {rest}"), set()) or (
                index.by_key.get(normalise(rest), set()) & ids if ids else index.by_key.get(normalise(rest), set()))
            if len(named) == 1:
                return index.municipalities[next(iter(named))]
        if len(ids) == 1:
            return index.municipalities[next(iter(ids))]
        if len(ids) > 1:
            raise MunicipalityNotFound(_("Several municipalities share the postal code %(code)s: add the name "
                                         "of the locality or choose a suggestion.") % {"code": code})
        return None
    ids = index.by_key.get(normalise(text), set())
    if len(ids) == 1:
        return index.municipalities[next(iter(ids))]
    if len(ids) > 1:
        raise MunicipalityNotFound(_("Several municipalities have this name: enter the postal code."))
    raise MunicipalityNotFound(_("This municipality is not known: check the spelling, enter the postal code "
                                 "or choose a suggestion."))
