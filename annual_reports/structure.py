"""The in-memory index of a template definition: chapters → sections → questions, no database access.

Each chapter with ``lessons_learned: true`` ends with a section holding the template's five top-level
prompts as long-text questions ``<chapter>_ll_<prompt>`` (not required)."""
import threading
from dataclasses import dataclass, field

from django.utils.translation import get_language

LANGUAGES = ("fr", "nl")
KINDS = {"long_text", "short_text", "number", "table", "attachments"}


def tr(value, language=None):
    """The text of a {"fr":..., "nl":...} value in the active (or given) language, French as fallback."""
    if isinstance(value, dict):
        language = (language or get_language() or "fr")[:2]
        return value.get(language) or value.get("fr") or ""
    return "" if value is None else str(value)


@dataclass
class Question:
    code: str
    kind: str
    text: dict
    label: str = ""
    required: bool = False
    guidance: list = field(default_factory=list)
    columns: list = field(default_factory=list)
    table_caption: dict | None = None
    chapter_code: str = ""
    section_code: str = ""
    is_lessons_learned: bool = False
    if_relevant: bool = False
    asks_figures: bool = False

    def display(self, language=None):
        return tr(self.text, language)

    def full_label(self, language=None):
        """"3.b Question text" (first line), for lists of missing answers."""
        first = tr(self.text, language).strip().splitlines()[0] if self.text else self.code
        prefix = f"{self.chapter_number}.{self.label} " if self.label else f"{self.chapter_number}. "
        return (prefix + first)[:200]

    chapter_number: str = ""


@dataclass
class Section:
    code: str
    title: dict
    if_relevant: bool = False
    intro: dict | None = None
    questions: list = field(default_factory=list)
    is_lessons_learned: bool = False


@dataclass
class Chapter:
    code: str
    number: str
    title: dict
    if_relevant: bool = False
    sections: list = field(default_factory=list)

    @property
    def questions(self):
        return [q for s in self.sections for q in s.questions]

    @property
    def required_questions(self):
        return [q for q in self.questions if q.required]


class TemplateStructure:
    def __init__(self, definition):
        self.definition = definition
        self.chapters = []
        self.questions = {}
        ll = definition.get("lessons_learned") or {}
        prompts = ll.get("prompts") or []
        for c in definition.get("chapters") or []:
            chapter = Chapter(code=c["code"], number=str(c.get("number", "")), title=c.get("title") or {},
                              if_relevant=bool(c.get("if_relevant")))
            for s in c.get("sections") or []:
                section = Section(code=s["code"], title=s.get("title") or {}, intro=s.get("intro"),
                                  if_relevant=bool(s.get("if_relevant") or c.get("if_relevant")))
                for q in s.get("questions") or []:
                    question = Question(
                        code=q["code"], kind=q.get("kind", "long_text"), text=q.get("text") or {},
                        label=str(q.get("label") or ""), required=bool(q.get("required")),
                        guidance=q.get("guidance") or [], columns=q.get("columns") or [],
                        table_caption=q.get("table_caption"), chapter_code=chapter.code,
                        section_code=section.code, chapter_number=chapter.number,
                        if_relevant=section.if_relevant, asks_figures=bool(q.get("asks_figures")),
                    )
                    section.questions.append(question)
                chapter.sections.append(section)
            if c.get("lessons_learned") and prompts:
                section = Section(
                    code=f"{chapter.code}_lessons_learned",
                    title=c.get("lessons_learned_title") or {"fr": "LESSONS LEARNED", "nl": "LESSONS LEARNED"},
                    intro=c.get("lessons_learned_intro") or ll.get("intro"), is_lessons_learned=True,
                )
                for p in prompts:
                    section.questions.append(Question(
                        code=f"{chapter.code}_ll_{p['code']}", kind="long_text", text=p.get("text") or {},
                        chapter_code=chapter.code, section_code=section.code, chapter_number=chapter.number,
                        is_lessons_learned=True,
                    ))
                chapter.sections.append(section)
            self.chapters.append(chapter)
            for q in chapter.questions:
                self.questions[q.code] = q
        self.chapters_by_code = {c.code: c for c in self.chapters}
        self.sections_by_code = {s.code: s for c in self.chapters for s in c.sections}

    @property
    def identification(self):
        return self.definition.get("identification") or []

    def chapter(self, code):
        return self.chapters_by_code.get(code)

    @property
    def required_questions(self):
        return [q for q in self.questions.values() if q.required]


# ---- one parse per process ----------------------------------------------------------------------

_structures = {}  # {template pk: (key, TemplateStructure)}: one entry per template version row
_structures_lock = threading.Lock()


def _cache_key(template):
    return (template.updated_at, template.created_at, template.version)


def structure_of(template):
    """The TemplateStructure of a saved ReportTemplate, parsed once per process and kept while the template row is
    unchanged: the key holds ``updated_at`` (bumped by every ``save()``, as ``template_load`` and the admin do), so
    a worker that loads the template row after a change parses the new definition. The definition itself is read
    only on a miss: callers may load the template with ``definition`` deferred (see ``selectors.report_for_answer``).
    A structure is shared between requests and threads and must not be changed by its users."""
    if template.pk is None or template.updated_at is None:  # not saved: nothing to key on
        return TemplateStructure(template.definition)
    key = _cache_key(template)
    held = _structures.get(template.pk)
    if held is not None and held[0] == key:
        return held[1]
    structure = TemplateStructure(template.definition)  # loads the definition when it was deferred
    with _structures_lock:
        _structures[template.pk] = (key, structure)
    return structure


def forget_structures():
    """Empty this process's cache (tests)."""
    with _structures_lock:
        _structures.clear()


def validate_definition(definition):
    """Errors of a template definition: both languages for every text, known kinds, unique codes."""
    errors = []

    def walk(node, path):
        if isinstance(node, dict):
            if set(node) & set(LANGUAGES) and set(node) <= set(LANGUAGES) | {"de", "en"}:
                for lang in LANGUAGES:
                    if not isinstance(node.get(lang), str) or not node.get(lang).strip():
                        errors.append(f"{path}: missing {lang} text")
                return
            for key, value in node.items():
                walk(value, f"{path}.{key}" if path else str(key))
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{path}[{i}]")

    walk(definition, "")
    for key in ("year", "deadline", "chapters"):
        if key not in definition:
            errors.append(f"missing key {key!r}")
    seen = set()
    for c in definition.get("chapters") or []:
        for s in c.get("sections") or []:
            for q in s.get("questions") or []:
                code = q.get("code")
                if not code:
                    errors.append(f"{c.get('code')}.{s.get('code')}: a question has no code")
                elif code in seen:
                    errors.append(f"question code {code} appears twice")
                seen.add(code)
                if q.get("kind", "long_text") not in KINDS:
                    errors.append(f"{code}: unknown kind {q.get('kind')!r}")
                if q.get("kind") == "table" and not q.get("columns"):
                    errors.append(f"{code}: a table needs columns")
    return errors
