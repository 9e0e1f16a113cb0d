from django.contrib import admin

from leaderboards.models import SCORE_METRICS, ScoreWeights


@admin.register(ScoreWeights)
class ScoreWeightsAdmin(admin.ModelAdmin):
    """Read-only: weights are set on the leaderboards' weights page, as a new row, never edited."""

    list_display = ("__str__", *SCORE_METRICS, "created_by", "created_at", "note")
    list_select_related = ("created_by",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
