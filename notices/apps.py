from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    """Show-cause notices: issued to a unit with the evidence, answered, and decided."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "notices"
    verbose_name = _("show-cause notices")
