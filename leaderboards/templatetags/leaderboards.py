from django import template

register = template.Library()


@register.filter
def magnitude(value):
    """The absolute value of a number (a rank change shown as ▲2 or ▼2); None stays None."""
    return abs(value) if value is not None else None
