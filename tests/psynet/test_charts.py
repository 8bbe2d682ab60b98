from django.template.loader import render_to_string

from psynet.charts import LABEL_CHARACTERS, bars


def test_bars_scale_to_the_largest_value_and_keep_the_full_label():
    long_label = "chez un partenaire (outreaching) dans la province de Namur"
    chart = bars([("cabinet", 35), (long_label, 10), ("vidéo", 0)])
    cabinet, partner, video = chart["bars"]
    assert cabinet["width"] == chart["width"] - cabinet["x"] - 80  # the largest bar fills the drawing width
    assert partner["width"] == int(cabinet["width"] * 10 / 35)
    assert video["width"] == 1  # an empty bar stays visible as a line
    assert partner["label"] == long_label
    assert len(partner["short_label"]) == LABEL_CHARACTERS and partner["short_label"].endswith("…")
    assert cabinet["short_label"] == "cabinet"
    assert [b["fill"] for b in chart["bars"]] == ["#333", "#888", "#333"]  # alternate greys, readable in print
    assert chart["height"] == 3 * 28 + 4


def test_the_chart_template_names_every_value_for_screen_readers():
    chart = bars([("cabinet", 35), ("chez un partenaire (outreaching) dans la province de Namur", 10.5)])
    html = render_to_string("psynet/_bar_chart.html", {"chart": chart, "id": "c1", "title": "Séances par cadre",
                                                       "caption": True})
    assert 'aria-labelledby="c1-title" aria-describedby="c1-desc"' in html
    assert "chez un partenaire (outreaching) dans la province de Namur: 10,50" in html  # in the description
    assert "<figcaption>Séances par cadre</figcaption>" in html
    assert html.count("<rect ") == 2
