import re

import nh3
from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from annual_reports.structure import tr as _tr

register = template.Library()


@register.filter
def tr(value, language=None):
    """A {"fr": ..., "nl": ...} template text in the active language."""
    return _tr(value, language)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def cell(row, column_code):
    return (row or {}).get(column_code, "")


ANSWER_TAGS = {"p", "ul", "ol", "li", "br", "strong", "em"}
_BULLET = re.compile(r"^\s*[-*•]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d+[.)]\s+(.*)$")
# A span cannot contain its own delimiter ("**" in bold, "*" in italic): "**a** and **b**" is two spans, not one
# from the first "**" to the last, and the scan from each opening stops at the next delimiter, so a line of
# thousands of asterisks is read in linear time (``.*?`` made it quadratic: minutes for an answer of 100,000).
_INLINE = ((re.compile(r"\*\*(\S(?:(?:[^*]|\*(?!\*))*?\S)?)\*\*"), "strong"),
           (re.compile(r"(?<![\w*])\*(\S(?:[^*]*?\S)?)\*(?![\w*])"), "em"))


def _inline(text):
    text = escape(text)
    for pattern, tag in _INLINE:
        text = pattern.sub(rf"<{tag}>\1</{tag}>", text)
    return text


@register.filter(needs_autoescape=False)
def answer_html(value):
    """A long answer in the sanitised Markdown subset: paragraphs (blank line), line breaks, "- " / "1. " lists,
    **bold** and *italic*. Everything typed is escaped first; nh3 then keeps only ANSWER_TAGS (no attribute)."""
    if value is None or value == "":
        return ""
    blocks, paragraph, items, kind = [], [], [], None

    def flush():
        nonlocal paragraph, items, kind
        if paragraph:
            blocks.append("<p>" + "<br>".join(_inline(line) for line in paragraph) + "</p>")
        if items:
            blocks.append(f"<{kind}>" + "".join(f"<li>{_inline(i)}</li>" for i in items) + f"</{kind}>")
        paragraph, items, kind = [], [], None

    for line in str(value).replace("\r\n", "\n").split("\n"):
        bullet, numbered = _BULLET.match(line), _NUMBERED.match(line)
        if not line.strip():
            flush()
        elif bullet or numbered:
            list_kind = "ul" if bullet else "ol"
            if paragraph or (kind and kind != list_kind):
                flush()
            kind = list_kind
            items.append((bullet or numbered).group(1))
        else:
            if items:
                flush()
            paragraph.append(line)
    flush()
    return mark_safe(nh3.clean("".join(blocks), tags=ANSWER_TAGS, attributes={}, link_rel=None))
