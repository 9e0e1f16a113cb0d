from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    """Time-boxed drives with targets, and content submission (issues #6, #7)."""

    name = "campaigns"
    verbose_name = _("Campaigns")
