"""The annual report as a tagged PDF (WeasyPrint, PDF/UA-1), with the fonts shipped in static/fonts/.

WeasyPrint is imported inside ``render`` so the web process loads it only when a PDF is made."""
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from . import selectors
from .services import is_answered

FONT_DIR = Path(settings.BASE_DIR) / "static" / "fonts"


def context_for(report, language):
    from figures.annex import annex_context  # the annex "Key figures YEAR" (snapshot once validated)

    structure = report.template.structure
    answers = selectors.answers_of(report)
    chapters = []
    for chapter in structure.chapters:
        sections = []
        for section in chapter.sections:
            items = []
            for q in section.questions:
                a = answers.get(q.code)
                items.append({"q": q, "answer": a, "value": a.value if a else None,
                              "answered": is_answered(q, a)})
            sections.append({"section": section, "items": items})
        chapters.append({"chapter": chapter, "sections": sections})
    return {
        "report": report, "network": report.network, "structure": structure, "chapters": chapters,
        "definition": structure.definition, "language": language,
        "annexes": list(selectors.annexes_of(report)),
        "figures_annex": annex_context(report),
        "fonts": {"regular": (FONT_DIR / "DejaVuSans.ttf").as_uri(),
                  "bold": (FONT_DIR / "DejaVuSans-Bold.ttf").as_uri(),
                  "italic": (FONT_DIR / "DejaVuSans-Oblique.ttf").as_uri()},
    }


def render_html(report, language):
    with translation.override(language):
        return render_to_string("annual_reports/pdf/report.html", context_for(report, language))


def render(report, language="fr"):
    """The report's PDF bytes in ``language`` (fr or nl)."""
    from weasyprint import HTML

    html = render_html(report, language)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(pdf_variant="pdf/ua-1")
