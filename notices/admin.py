from django.contrib import admin

from core.admin import ReadOnlyAdmin
from notices.models import Notice, NoticeEvent, NoticeReminder, NoticeReply, ReplyAttachment


class NoticeEventInline(admin.TabularInline):
    model = NoticeEvent
    fields = ("at", "action", "from_status", "to_status", "by", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    """Notices change only through their own pages (the state machine); here they are read."""

    list_display = ("number", "unit", "status", "overdue", "issued_at", "deadline", "level")
    list_filter = ("state", "status", "overdue", "level")
    search_fields = ("number", "unit__name_en", "unit__name_hi", "unit__code")
    list_select_related = ("unit",)
    inlines = [NoticeEventInline]


@admin.register(NoticeReply)
class NoticeReplyAdmin(ReadOnlyAdmin):
    list_display = ("notice", "round", "submitted_by", "submitted_at", "late")


@admin.register(ReplyAttachment)
class ReplyAttachmentAdmin(ReadOnlyAdmin):
    list_display = ("name", "reply", "content_type", "size")


@admin.register(NoticeEvent)
class NoticeEventAdmin(ReadOnlyAdmin):
    list_display = ("notice", "action", "from_status", "to_status", "by", "at")
    list_filter = ("action",)


@admin.register(NoticeReminder)
class NoticeReminderAdmin(ReadOnlyAdmin):
    list_display = ("notice", "days_before", "deadline", "sent_at")
