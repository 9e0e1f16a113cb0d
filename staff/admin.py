from django.contrib import admin

from core.admin import ReadOnlyAdmin
from staff.models import FollowCheckBudget, FollowCheckRequest, StaffMember


@admin.register(StaffMember)
class StaffMemberAdmin(admin.ModelAdmin):
    list_display = ("name", "designation", "unit", "x_handle", "follow_status", "follow_checked_at", "declared_follows")
    list_filter = ("follow_status", "is_active", "unit__state")
    search_fields = ("name", "designation", "x_handle", "unit__code", "unit__name_en")
    raw_id_fields = ("unit", "declared_by")
    readonly_fields = ("x_user_id", "follow_status", "follow_target", "follow_checked_at")


@admin.register(FollowCheckBudget)
class FollowCheckBudgetAdmin(admin.ModelAdmin):
    list_display = ("__str__", "enabled", "requests_per_week", "paused_until", "updated_at")
    readonly_fields = ("paused_until", "pause_reason", "updated_by", "updated_at")

    def has_add_permission(self, request):
        return not FollowCheckBudget.objects.exists()  # one row

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(FollowCheckRequest)
class FollowCheckRequestAdmin(ReadOnlyAdmin):
    list_display = ("at", "endpoint", "member", "page", "outcome", "http_status")
    list_filter = ("endpoint", "outcome")
    date_hierarchy = "at"
