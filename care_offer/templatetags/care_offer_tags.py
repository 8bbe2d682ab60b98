from django import template

register = template.Library()


@register.filter
def item(mapping, key):
    """``row|item:"age"``: a dictionary value by a variable key."""
    return mapping.get(key, []) if hasattr(mapping, "get") else []
