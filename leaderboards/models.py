"""The activity score's weights, kept as an append-only history.

An admin changes the weights by adding a row; the newest row is in force.
Every leaderboard names the row it used, so an old export can be explained.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# The figures the score is built from, in the order the form shows them.
SCORE_METRICS = ("growth_pct", "posts", "reposts", "replies", "long_lives", "engagement")


class ScoreWeights(models.Model):
    growth_pct = models.PositiveSmallIntegerField(_("follower growth (%)"), default=3)
    posts = models.PositiveSmallIntegerField(_("posts"), default=2)
    reposts = models.PositiveSmallIntegerField(_("retweets / shares"), default=1)
    replies = models.PositiveSmallIntegerField(_("replies"), default=1)
    long_lives = models.PositiveSmallIntegerField(_("Facebook Lives of 30+ minutes"), default=2)
    engagement = models.PositiveSmallIntegerField(_("engagement"), default=1)
    note = models.CharField(_("why the change"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("set by"), on_delete=models.PROTECT, null=True, blank=True
    )
    created_at = models.DateTimeField(_("set at"), auto_now_add=True)

    class Meta:
        ordering = ["-pk"]
        get_latest_by = "pk"
        verbose_name = _("score weights")
        verbose_name_plural = _("score weights")
        constraints = [
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_not_all_zero",
                condition=models.Q(growth_pct__gt=0)
                | models.Q(posts__gt=0)
                | models.Q(reposts__gt=0)
                | models.Q(replies__gt=0)
                | models.Q(long_lives__gt=0)
                | models.Q(engagement__gt=0),
                violation_error_message=_("At least one weight must be above zero."),
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"

    def as_dict(self) -> dict[str, int]:
        return {metric: getattr(self, metric) for metric in SCORE_METRICS}
