import json

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from departments.models import Account, State, Unit


@admin.register(State)
class StateAdmin(admin.ModelAdmin):
    list_display = ("code", "name_en", "name_hi")
    search_fields = ("code", "name_en", "name_hi")


class AccountInline(admin.TabularInline):
    model = Account
    extra = 0
    fields = ("platform", "handle", "platform_id", "verified", "status")
    show_change_link = True


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name_en", "name_hi", "kind", "state", "district", "is_active")
    list_filter = ("state", "kind", "is_active")
    search_fields = ("code", "name_en", "name_hi")
    autocomplete_fields = ("district", "department")
    list_select_related = ("state", "district")
    inlines = [AccountInline]


class AccountAdminForm(forms.ModelForm):
    """Credentials are write-only here: a new JSON object replaces the stored one; blank keeps it."""

    new_credentials = forms.CharField(
        label=_("Replace credentials"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_('A JSON object, e.g. {"access_token": "…"}. Leave blank to keep what is stored. Never shown.'),
    )

    class Meta:
        model = Account
        fields = (
            "unit",
            "platform",
            "handle",
            "platform_id",
            "display_name",
            "verified",
            "status",
            "status_reason",
        )

    def clean_new_credentials(self):
        raw = self.cleaned_data["new_credentials"].strip()
        if not raw:
            return None
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            raise forms.ValidationError(_("Not valid JSON.")) from None
        if not isinstance(value, dict) or not value:
            raise forms.ValidationError(_("Give a JSON object with at least one field."))
        return value

    def save(self, commit=True):
        account = super().save(commit=False)
        if self.cleaned_data.get("new_credentials"):
            account.credentials = self.cleaned_data["new_credentials"]
        if commit:
            account.save()
        return account


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    """Accounts needing re-authorisation are one filter away (status), and their last poll error shows."""

    form = AccountAdminForm
    list_display = ("__str__", "unit", "platform", "verified", "status", "has_credentials", "last_poll_error")
    list_filter = ("platform", "status", "verified", "unit__state")
    search_fields = ("handle", "platform_id", "unit__code", "unit__name_en", "unit__name_hi")
    autocomplete_fields = ("unit",)
    list_select_related = ("unit", "poll_state")
    readonly_fields = ("status_changed_at", "created_at", "updated_at")

    @admin.display(description=_("last poll error"))
    def last_poll_error(self, obj: Account) -> str:
        state = getattr(obj, "poll_state", None)
        return f"{state.last_error_kind}: {state.last_error[:80]}" if state and state.last_error else ""

    @admin.display(boolean=True, description=_("credentials"))
    def has_credentials(self, obj: Account) -> bool:
        return obj.has_credentials
