from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    """Each unit's staff roster, and whether its staff have an X account and follow the district's handle."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "staff"
    verbose_name = _("staff")
