from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContentConfig(AppConfig):
    """Posts that district offices submit, the PR office approves, and the system publishes exactly once."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "content"
    verbose_name = _("content")
