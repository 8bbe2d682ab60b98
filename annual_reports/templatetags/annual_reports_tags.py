from django import template

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
