from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MetricsConfig(AppConfig):
    """Follower and activity time series, polled by Celery (issue #3)."""

    name = "metrics"
    verbose_name = _("Metrics")
