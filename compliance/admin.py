from django.contrib import admin

from compliance.models import Flag, FlagEvent, Mandate, Rule, RuleEvaluation, RuleRevision
from core.admin import ReadOnlyAdmin


class RuleRevisionInline(admin.TabularInline):
    model = RuleRevision
    fields = ("number", "created_at", "created_by", "definition")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    list_display = ("name_en", "state", "level", "metric", "platform", "comparison", "threshold", "period", "is_active")
    list_filter = ("state", "metric", "period", "is_active")
    search_fields = ("name_en", "name_hi")
    inlines = [RuleRevisionInline]

    def has_add_permission(self, request):
        return False  # rules are saved through the Rules page, which keeps each version

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RuleEvaluation)
class RuleEvaluationAdmin(ReadOnlyAdmin):
    list_display = ("rule", "period_start", "period_end", "passed", "failed", "no_data", "trigger", "evaluated_at")
    list_filter = ("trigger", "rule__state")


@admin.register(Flag)
class FlagAdmin(ReadOnlyAdmin):
    list_display = ("unit", "rule", "period_start", "value", "status", "raised_at")
    list_filter = ("status", "rule__state", "rule")
    search_fields = ("unit__name_en", "unit__name_hi", "unit__code")
    list_select_related = ("unit", "rule")


@admin.register(FlagEvent)
class FlagEventAdmin(ReadOnlyAdmin):
    list_display = ("flag", "from_status", "to_status", "by", "at")


@admin.register(Mandate)
class MandateAdmin(ReadOnlyAdmin):
    """Mandates are recorded through the Account mandates page, which creates their rule."""

    list_display = ("name_en", "state", "level", "platform", "starts_on", "deadline", "created_by")
    list_filter = ("state", "platform")
    search_fields = ("name_en", "name_hi", "order_reference")
    list_select_related = ("state", "created_by")
