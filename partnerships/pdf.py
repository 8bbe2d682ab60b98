"""The signed tripartite agreement as a PDF (WeasyPrint), with a signature and audit page.

WeasyPrint is imported inside ``render`` so the web process loads it only when a PDF is made. The fonts are
DejaVu Sans, shipped in static/fonts/ (else the system copy), embedded so the PDF looks the same everywhere."""
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

SHIPPED = Path(settings.BASE_DIR) / "static" / "fonts"
SYSTEM = Path("/usr/share/fonts/truetype/dejavu")


def fonts():
    folder = SHIPPED if (SHIPPED / "DejaVuSans.ttf").exists() else SYSTEM
    return {"regular": (folder / "DejaVuSans.ttf").as_uri(), "bold": (folder / "DejaVuSans-Bold.ttf").as_uri(),
            "italic": (folder / "DejaVuSans-Oblique.ttf").as_uri()}


def render_html(agreement):
    from .agreements import pdf_context

    with translation.override(agreement.language):
        return render_to_string("partnerships/pdf/agreement.html", pdf_context(agreement))


def render(agreement):
    """The PDF bytes of the agreement, in its language."""
    from weasyprint import HTML

    return HTML(string=render_html(agreement), base_url=str(settings.BASE_DIR)).write_pdf()
