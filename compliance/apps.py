from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    """Rules that units must meet, their evaluation per period, and the flags raised for units that fail."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "compliance"
    verbose_name = _("compliance")
