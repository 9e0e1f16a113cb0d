from django.contrib import admin

from core.admin import ReadOnlyAdmin
from plans.models import ImprovementPlan, PlanEvent, PlanTarget


class PlanTargetInline(admin.TabularInline):
    model = PlanTarget
    fields = ("month", "followers_target", "posts_target", "lives_target")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PlanEventInline(PlanTargetInline):
    model = PlanEvent
    fields = ("at", "action", "from_status", "to_status", "by", "note", "targets")
    readonly_fields = fields


@admin.register(ImprovementPlan)
class ImprovementPlanAdmin(ReadOnlyAdmin):
    list_display = ("unit", "first_month", "due_date", "status", "requested_at", "submitted_at", "decided_at")
    list_filter = ("status", "unit__state", "first_month")
    search_fields = ("unit__name_en", "unit__name_hi", "unit__code")
    list_select_related = ("unit",)
    inlines = [PlanTargetInline, PlanEventInline]


@admin.register(PlanTarget)
class PlanTargetAdmin(ReadOnlyAdmin):
    list_display = ("plan", "month", "followers_target", "posts_target", "lives_target")
    list_select_related = ("plan__unit",)


@admin.register(PlanEvent)
class PlanEventAdmin(ReadOnlyAdmin):
    list_display = ("plan", "action", "from_status", "to_status", "by", "at")
    list_filter = ("action",)
    list_select_related = ("plan__unit", "by")
