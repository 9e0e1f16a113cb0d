from django import template
from django.utils.translation import get_language

register = template.Library()


@register.filter
def other_name(obj) -> str:
    """The name in the language not shown: Hindi under English and English under Hindi."""
    language = get_language() or "en"
    return obj.name_en if language.startswith("hi") else obj.name_hi


@register.simple_tag(takes_context=True)
def sort_link(context, key: str) -> str:
    """The sort value for a column header: ascending first, then descending."""
    current = context.get("filters").sort if context.get("filters") else ""
    return f"-{key}" if current == key else key


@register.filter
def sort_icon(current: str, key: str) -> str:
    if current == key:
        return "bi-sort-up"
    if current == f"-{key}":
        return "bi-sort-down"
    return "bi-arrow-down-up text-body-tertiary"
