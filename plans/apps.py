from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    """Improvement plans: monthly targets a unit commits to when asked, approved by the state, then followed."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "plans"
    verbose_name = _("improvement plans")
