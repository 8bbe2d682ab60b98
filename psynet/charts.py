"""Horizontal bar charts drawn as inline SVG (pages and PDFs): black and grey bars with a black outline, the value
printed at the end of each bar, so a chart reads without colour. Every app draws its charts with `bars` and the
template `psynet/_bar_chart.html`."""

CHART_WIDTH, BAR_HEIGHT, LABEL_WIDTH, VALUE_WIDTH = 620, 22, 250, 80
# DejaVu Sans at 12 px averages about 6.8 px a character: 35 characters fit in the label column.
LABEL_CHARACTERS = 35


def short_label(label):
    label = str(label)
    return label if len(label) <= LABEL_CHARACTERS else label[: LABEL_CHARACTERS - 1].rstrip() + "…"


def bars(rows):
    """Geometry of a horizontal bar chart: [(label, value)] → dict for psynet/_bar_chart.html. A label too long for
    its column is shortened with an ellipsis; the full label stays in the chart's accessible text."""
    values = [float(v or 0) for _l, v in rows]
    top = max(values) if values and max(values) > 0 else 1
    width = CHART_WIDTH - LABEL_WIDTH - VALUE_WIDTH
    out = []
    for index, ((label, value), number) in enumerate(zip(rows, values)):
        length = max(int(width * number / top), 1)
        y = index * (BAR_HEIGHT + 6)
        out.append({"label": str(label), "short_label": short_label(label), "value": value, "y": y,
                    "text_y": y + 15, "width": length, "x": LABEL_WIDTH, "value_x": LABEL_WIDTH + length + 6,
                    "fill": "#333" if index % 2 == 0 else "#888"})
    return {"bars": out, "height": len(out) * (BAR_HEIGHT + 6) + 4, "width": CHART_WIDTH, "label_x": LABEL_WIDTH - 6}
