from django import template
from django.utils.translation import gettext_lazy as _

from content.validation import X_MAX_WEIGHTED_LENGTH, x_weighted_length

register = template.Library()

EVENT_LABELS = {
    "save": _("Saved"),
    "submit": _("Sent for review"),
    "edit": _("Text edited by the reviewer"),
    "approve": _("Approved"),
    "request_changes": _("Changes asked"),
    "reject": _("Rejected"),
    "claim": _("Publishing started"),
    "published": _("Published"),
    "failed": _("Failed"),
    "unknown": _("Outcome unknown"),
    "reconcile": _("Looked for on the platform"),
    "reconciled": _("Found on the platform: published"),
    "resolve_published": _("Marked published by a reviewer"),
    "resolve_failed": _("Marked failed by a reviewer"),
    "resolve_retry": _("Sent again by a reviewer"),
}


@register.filter
def event_label(action: str) -> str:
    return EVENT_LABELS.get(action, action)


@register.simple_tag
def x_length(text: str) -> dict:
    """X's weighted count of ``text`` and whether it fits: ``{"count": n, "max": 280, "over": bool}``."""
    count = x_weighted_length(text or "")
    return {"count": count, "max": X_MAX_WEIGHTED_LENGTH, "over": count > X_MAX_WEIGHTED_LENGTH}
