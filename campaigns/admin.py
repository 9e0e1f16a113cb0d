from django.contrib import admin

from campaigns.models import Campaign, CampaignBaseline, CampaignResult, CampaignTarget, CampaignUnit
from core.admin import ReadOnlyAdmin


class CampaignUnitInline(admin.TabularInline):
    model = CampaignUnit
    fields = ("unit",)
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CampaignTargetInline(CampaignUnitInline):
    model = CampaignTarget
    fields = ("metric", "platform", "value", "live_minimum_minutes", "unit")
    readonly_fields = fields


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdmin):
    """Campaigns are drafted, started and closed on their own pages (services check every step); here, read-only."""

    list_display = ("name_en", "state", "starts_on", "ends_on", "status", "scope", "closed_early")
    list_filter = ("status", "state", "scope")
    search_fields = ("name_en", "name_hi")
    list_select_related = ("state",)
    inlines = [CampaignUnitInline, CampaignTargetInline]


@admin.register(CampaignBaseline)
class CampaignBaselineAdmin(ReadOnlyAdmin):
    list_display = ("campaign", "unit", "account", "platform", "followers", "slot")
    list_filter = ("platform",)
    list_select_related = ("campaign", "unit", "account")


@admin.register(CampaignResult)
class CampaignResultAdmin(ReadOnlyAdmin):
    list_display = ("campaign", "unit", "metric", "platform", "target", "before", "after", "achieved", "status")
    list_filter = ("status", "metric")
    list_select_related = ("campaign", "unit")
