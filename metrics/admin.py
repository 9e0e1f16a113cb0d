from django.contrib import admin

from metrics.models import AccountPollState, PlatformPause, PollBatch, PollRun, Post, Snapshot


class ReadOnlyAdmin(admin.ModelAdmin):
    """Time series and poll records are written by the workers only."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Snapshot)
class SnapshotAdmin(ReadOnlyAdmin):
    list_display = ("account", "slot", "followers", "following", "posts_total", "likes", "views")
    list_filter = ("account__platform",)
    search_fields = ("account__handle",)
    list_select_related = ("account",)
    date_hierarchy = "slot"


@admin.register(Post)
class PostAdmin(ReadOnlyAdmin):
    list_display = ("platform_post_id", "account", "kind", "created_at", "duration_seconds", "likes", "reposts")
    list_filter = ("kind", "account__platform")
    search_fields = ("account__handle", "platform_post_id", "text")
    list_select_related = ("account",)
    date_hierarchy = "created_at"


class PollBatchInline(admin.TabularInline):
    model = PollBatch
    extra = 0
    fields = ("index", "status", "attempts", "api_calls", "not_before", "last_error")
    readonly_fields = fields
    can_delete = False
    show_change_link = False


@admin.register(PollRun)
class PollRunAdmin(ReadOnlyAdmin):
    list_display = ("pk", "platform", "trigger", "status", "accounts_done", "accounts_total", "api_calls", "started_at")
    list_filter = ("platform", "status", "trigger")
    inlines = [PollBatchInline]


@admin.register(AccountPollState)
class AccountPollStateAdmin(ReadOnlyAdmin):
    list_display = ("account", "last_success_at", "last_error_kind", "consecutive_failures", "paused_until")
    list_filter = ("last_error_kind", "account__platform", "account__status")
    search_fields = ("account__handle",)
    list_select_related = ("account",)


@admin.register(PlatformPause)
class PlatformPauseAdmin(admin.ModelAdmin):
    list_display = ("platform", "until", "reason")
