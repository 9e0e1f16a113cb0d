"""The hierarchy of government units and their official social media accounts.

State → districts → district offices of departments; and, beside the
districts, state departments and state undertakings. Every unit belongs to
exactly one state, which is what scoping by role is built on.
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.fields import EncryptedJSONField
from departments.choices import AccountStatus, Platform, UnitKind
from departments.handles import profile_url

code_validator = RegexValidator(
    r"^[A-Z0-9]+(?:-[A-Z0-9]+)*$",
    _("Use capital letters, digits and single hyphens, e.g. BR-PATNA."),
)


class BilingualNameMixin(models.Model):
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_hi = models.CharField(_("name (Hindi)"), max_length=200)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language (Hindi when the UI is in Hindi)."""
        language = get_language() or "en"
        if language.startswith("hi") and self.name_hi:
            return self.name_hi
        return self.name_en


class State(BilingualNameMixin):
    code = models.CharField(_("code"), max_length=8, unique=True, validators=[code_validator])
    districts_post_to_state_accounts = models.BooleanField(
        _("districts may submit to the state's accounts"),
        default=False,
        help_text=_("If set, district officials may also choose the state departments' accounts for their posts."),
    )
    notice_prefix = models.CharField(
        _("notice number prefix"),
        max_length=20,
        blank=True,
        help_text=_("How the PR department numbers its letters, e.g. BIH/IPRD (then BIH/IPRD/2026/0012)."),
    )

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("state")
        verbose_name_plural = _("states")

    def get_absolute_url(self) -> str:
        return reverse("departments:directory") + f"?state={self.code}"

    @property
    def notice_series(self) -> str:
        return self.notice_prefix or f"{self.code}/IPRD"


class Unit(BilingualNameMixin):
    state = models.ForeignKey(State, verbose_name=_("state"), on_delete=models.PROTECT, related_name="units")
    kind = models.CharField(_("kind"), max_length=32, choices=UnitKind.choices)
    code = models.CharField(_("code"), max_length=64, unique=True, validators=[code_validator])
    district = models.ForeignKey(
        "self",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="offices",
        help_text=_("For a district office: the district it serves."),
    )
    department = models.ForeignKey(
        "self",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="district_offices",
        help_text=_("For a district office: the state department it belongs to."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["state__name_en", "name_en"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_office_has_district",
                condition=(Q(kind=UnitKind.DISTRICT_OFFICE, district__isnull=False) | ~Q(kind=UnitKind.DISTRICT_OFFICE))
                & (Q(kind=UnitKind.DISTRICT_OFFICE) | Q(district__isnull=True, department__isnull=True)),
                violation_error_message=_(
                    "A district office needs its district; other units have neither district nor department."
                ),
            ),
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_kind_valid",
                condition=Q(kind__in=UnitKind.values),
            ),
        ]
        indexes = [
            # The directory: the units of one state filtered by kind, ordered by name.
            models.Index(fields=["state", "kind", "name_en"], name="unit_state_kind_name_idx"),
        ]

    def get_absolute_url(self) -> str:
        return reverse("departments:unit_detail", kwargs={"code": self.code})

    @property
    def district_scope_id(self) -> int | None:
        """The district a district official must hold to see this unit."""
        if self.kind == UnitKind.DISTRICT:
            return self.pk
        return self.district_id


class Account(models.Model):
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="accounts")
    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)
    handle = models.CharField(
        _("handle"), max_length=100, help_text=_("X username, Facebook page name or id, YouTube @handle or channel id.")
    )
    platform_id = models.CharField(
        _("platform id"), max_length=64, blank=True, help_text=_("The platform's stable numeric id, once known.")
    )
    display_name = models.CharField(_("display name"), max_length=200, blank=True)
    verified = models.BooleanField(_("verified"), default=False)
    status = models.CharField(_("status"), max_length=32, choices=AccountStatus.choices, default=AccountStatus.ACTIVE)
    status_reason = models.CharField(_("status reason"), max_length=500, blank=True)
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)
    credentials = EncryptedJSONField(_("credentials"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["unit__name_en", "platform"]
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        constraints = [
            models.UniqueConstraint(
                Lower("handle"),
                "platform",
                name="%(app_label)s_%(class)s_unique_handle",
                violation_error_message=_("This handle is already registered on this platform."),
            ),
            models.UniqueConstraint(
                fields=["platform", "platform_id"],
                condition=~Q(platform_id=""),
                name="%(app_label)s_%(class)s_unique_platform_id",
            ),
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_platform_valid",
                condition=Q(platform__in=Platform.values),
            ),
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_status_valid",
                condition=Q(status__in=AccountStatus.values),
            ),
        ]
        indexes = [
            # Coverage: does unit U have an account on platform P (EXISTS per row of the directory).
            models.Index(fields=["unit", "platform"], name="account_unit_platform_idx"),
            # Account health: accounts of a platform in a given status.
            models.Index(fields=["platform", "status"], name="account_platform_status_idx"),
        ]

    def __str__(self) -> str:
        prefix = "@" if self.platform == Platform.X else ""
        return f"{self.get_platform_display()} {prefix}{self.handle}"

    def __repr__(self) -> str:
        # Never includes credentials.
        return f"<Account {self.pk} {self.platform}:{self.handle}>"

    def get_absolute_url(self) -> str:
        return reverse("departments:account_detail", kwargs={"pk": self.pk})

    @property
    def profile_url(self) -> str:
        return profile_url(self.platform, self.handle)

    @property
    def has_credentials(self) -> bool:
        return bool(self.credentials)
