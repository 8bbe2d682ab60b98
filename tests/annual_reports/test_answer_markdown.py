"""Long answers in a sanitised Markdown subset: paragraphs, line breaks, lists, bold/italic; nothing else."""
import subprocess

from django.urls import reverse

from annual_reports import pdf
from annual_reports.templatetags.annual_reports_tags import answer_html

from .factories import AnswerFactory

TEXT = "Notre réseau :\n- **trois** zones\n- une *coordination*\n\n1. premier\n2. second\n\nFin.<img src=x onerror=alert(1)>"


def test_paragraphs_lists_and_emphasis_are_rendered():
    assert answer_html(TEXT) == (
        "<p>Notre réseau :</p><ul><li><strong>trois</strong> zones</li><li>une <em>coordination</em></li></ul>"
        "<ol><li>premier</li><li>second</li></ol><p>Fin.&lt;img src=x onerror=alert(1)&gt;</p>")


def test_html_typed_in_an_answer_never_becomes_markup():
    html = answer_html('<a href="javascript:x">lien</a> <b onclick="x">gras</b>\n- <script>x</script>')
    assert "<a" not in html and "<b" not in html and "<script" not in html
    assert "&lt;script&gt;" in html


def test_empty_answer_gives_nothing():
    assert answer_html("") == "" and answer_html(None) == ""


def test_chapter_page_shows_the_list(client, committee_a, report_a):
    AnswerFactory(report=report_a, question_code="governance_a", value=TEXT)
    client.force_login(committee_a)
    body = client.get(reverse("annual_reports:chapter", args=[report_a.pk, "governance"])).content.decode()
    assert "<ul><li><strong>trois</strong> zones</li>" in body
    assert "<img src=x" not in body


def test_pdf_shows_the_list_and_escapes_html(report_a, tmp_path):
    AnswerFactory(report=report_a, question_code="governance_a", value=TEXT)
    html = pdf.render_html(report_a, "fr")
    assert "<ol><li>premier</li><li>second</li></ol>" in html and "<img src=x" not in html
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf.render(report_a, "fr"))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert "trois zones" in text and "Fin.<img src=x onerror=alert(1)>" in text


def test_two_spans_on_one_line_stay_two():
    assert answer_html("**a** et **b**, *c* ou *d*") == (
        "<p><strong>a</strong> et <strong>b</strong>, <em>c</em> ou <em>d</em></p>")
    assert answer_html("**gras et *italique* dedans**") == "<p><strong>gras et <em>italique</em> dedans</strong></p>"
    assert answer_html("2 * 3 = 6 et 4 * 5") == "<p>2 * 3 = 6 et 4 * 5</p>"


def test_a_line_full_of_asterisks_is_rendered_in_linear_time():
    import time

    for unit in ("*a ", "**a ", "** "):
        text = unit * (100_000 // len(unit))  # the longest answer kept
        started = time.process_time()
        html = answer_html(text)
        assert time.process_time() - started < 1.0, unit  # quadratic, it took tens of seconds
        assert html.startswith("<p>")
