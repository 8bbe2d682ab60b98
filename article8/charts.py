"""Inline SVG charts, readable in black and white: delivered hours are solid black, reserved hours are
hatched, values are written beside each bar, and every chart has a title and a data table on the page.
No script, no inline style (CSP): presentation attributes only."""
import itertools
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

_ids = itertools.count(1)


def _n(value):
    return number_format(Decimal(value or 0).quantize(Decimal("0.1")), 1, force_grouping=True)


def _defs(uid):
    return (f'<defs><pattern id="hatch{uid}" width="6" height="6" patternUnits="userSpaceOnUse" '
            f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
            f'<line x1="0" y1="0" x2="0" y2="6" stroke="#000000" stroke-width="2"/></pattern></defs>')


def _legend(uid, y):
    return (f'<g font-size="12" fill="#000000">'
            f'<rect x="0" y="{y}" width="14" height="14" fill="url(#hatch{uid})" stroke="#000000"/>'
            f'<text x="20" y="{y + 12}">{escape(_("reserved"))}</text>'
            f'<rect x="120" y="{y}" width="14" height="14" fill="#000000"/>'
            f'<text x="140" y="{y + 12}">{escape(_("delivered"))}</text></g>')


def bar_chart(rows, title, empty_label=""):
    """Horizontal bars: per row, reserved (hatched) above delivered (solid)."""
    uid = next(_ids)
    if not rows:
        return ""
    label_w, bar_w, row_h = 170, 250, 38
    top = max([max(r["reserved"], r["delivered"]) for r in rows] + [Decimal("1")])
    height = len(rows) * row_h + 34
    parts = [f'<svg viewBox="0 0 480 {height}" width="100%" role="img" aria-labelledby="chart{uid}-title" '
             f'class="article8-chart" focusable="false"><title id="chart{uid}-title">{escape(title)}</title>',
             _defs(uid)]
    for i, r in enumerate(rows):
        y = i * row_h
        label = str(r["label"] or empty_label)
        short = label if len(label) <= 26 else label[:24] + "…"
        reserved_w = float(r["reserved"] / top) * bar_w
        delivered_w = float(r["delivered"] / top) * bar_w
        parts.append(
            f'<g><text x="0" y="{y + 20}" font-size="12" fill="#000000">{escape(short)}</text>'
            f'<rect x="{label_w}" y="{y + 4}" width="{reserved_w:.1f}" height="14" fill="url(#hatch{uid})" '
            f'stroke="#000000"/><text x="{label_w + reserved_w + 4:.1f}" y="{y + 16}" font-size="11" '
            f'fill="#000000">{_n(r["reserved"])}</text>'
            f'<rect x="{label_w}" y="{y + 20}" width="{delivered_w:.1f}" height="14" fill="#000000"/>'
            f'<text x="{label_w + delivered_w + 4:.1f}" y="{y + 32}" font-size="11" fill="#000000">'
            f'{_n(r["delivered"])}</text></g>')
    parts.append(_legend(uid, height - 18))
    parts.append("</svg>")
    return mark_safe("".join(parts))


def month_chart(rows):
    uid = next(_ids)
    top = max([max(r["reserved"], r["delivered"]) for r in rows] + [Decimal("1")])
    plot_h, col_w = 180, 50
    parts = [f'<svg viewBox="0 0 640 250" width="100%" role="img" aria-labelledby="chart{uid}-title" '
             f'class="article8-chart" focusable="false"><title id="chart{uid}-title">'
             f'{escape(_("Hours by month"))}</title>', _defs(uid),
             f'<line x1="20" y1="{plot_h + 10}" x2="630" y2="{plot_h + 10}" stroke="#000000"/>']
    for i, r in enumerate(rows):
        x = 24 + i * col_w
        rh = float(r["reserved"] / top) * plot_h
        dh = float(r["delivered"] / top) * plot_h
        parts.append(
            f'<rect x="{x}" y="{plot_h + 10 - rh:.1f}" width="18" height="{rh:.1f}" fill="url(#hatch{uid})" '
            f'stroke="#000000"/><rect x="{x + 20}" y="{plot_h + 10 - dh:.1f}" width="18" height="{dh:.1f}" '
            f'fill="#000000"/><text x="{x + 19}" y="{plot_h + 26}" font-size="11" text-anchor="middle" '
            f'fill="#000000">{escape(str(r["label"]))}</text>')
    parts.append(_legend(uid, 232))
    parts.append("</svg>")
    return mark_safe("".join(parts))


def use_gauge(f):
    """The year's budget use (delivered and reserved) on a 0–100 % scale with the national 8 % of 2024 marked."""
    uid = next(_ids)
    if f["use_percent"] is None:
        return ""
    width = 600
    delivered = min(float(f["use_percent"]), 100.0)
    reserved = min(float(f["reserved_percent"]), 100.0)
    national = float(f["national_percent"])
    x_nat = 20 + width * national / 100
    return mark_safe(
        f'<svg viewBox="0 0 640 110" width="100%" role="img" aria-labelledby="chart{uid}-title" '
        f'class="article8-chart" focusable="false"><title id="chart{uid}-title">'
        f'{escape(_("Share of the yearly budget used, against the national 8 % of 2024"))}</title>{_defs(uid)}'
        f'<rect x="20" y="20" width="{width}" height="30" fill="#ffffff" stroke="#000000"/>'
        f'<rect x="20" y="20" width="{width * reserved / 100:.1f}" height="30" fill="url(#hatch{uid})" '
        f'stroke="#000000"/>'
        f'<rect x="20" y="28" width="{width * delivered / 100:.1f}" height="14" fill="#000000"/>'
        f'<line x1="{x_nat:.1f}" y1="10" x2="{x_nat:.1f}" y2="60" stroke="#000000" stroke-width="2" '
        f'stroke-dasharray="4 2"/>'
        f'<text x="{x_nat + 4:.1f}" y="12" font-size="11" fill="#000000">'
        f'{escape(_("national 2024: 8 %"))}</text>'
        f'<text x="20" y="72" font-size="12" fill="#000000">0 %</text>'
        f'<text x="{width - 10}" y="72" font-size="12" fill="#000000">100 %</text>'
        f'{_legend(uid, 84)}</svg>')
