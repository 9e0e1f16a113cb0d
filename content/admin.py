from django.contrib import admin

from content.models import ContentEvent, PublishTarget, Submission, SubmissionImage
from core.admin import ReadOnlyAdmin


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class SubmissionImageInline(_ReadOnlyInline):
    model = SubmissionImage
    fields = ("position", "name", "content_type", "size", "sha256")
    readonly_fields = fields


class PublishTargetInline(_ReadOnlyInline):
    model = PublishTarget
    fields = ("account", "state", "publish_at", "platform_post_id", "url", "published_at", "error", "resolved_by")
    readonly_fields = fields


class ContentEventInline(_ReadOnlyInline):
    model = ContentEvent
    fields = ("at", "action", "target", "from_state", "to_state", "by", "note")
    readonly_fields = fields


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    """Posts change only through their own pages (save, review, publishing); here they are read."""

    list_display = ("pk", "unit", "category", "status", "submitted_by", "submitted_at", "reviewed_by", "reviewed_at")
    list_filter = ("status", "category", "unit__state")
    search_fields = ("text", "scheme", "unit__name_en", "unit__name_hi", "unit__code")
    list_select_related = ("unit", "submitted_by", "reviewed_by")
    inlines = [SubmissionImageInline, PublishTargetInline, ContentEventInline]


@admin.register(PublishTarget)
class PublishTargetAdmin(ReadOnlyAdmin):
    list_display = ("submission", "account", "state", "publish_at", "platform_post_id", "published_at")
    list_filter = ("state", "account__platform")
    search_fields = ("platform_post_id", "account__handle")
    list_select_related = ("submission", "account")
    exclude = ("claim_token",)


@admin.register(ContentEvent)
class ContentEventAdmin(ReadOnlyAdmin):
    list_display = ("submission", "action", "target", "from_state", "to_state", "by", "at")
    list_filter = ("action",)
    list_select_related = ("submission", "target__account", "by")
