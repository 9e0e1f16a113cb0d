from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class GovsocialUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("role", "admin")
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A govsocial user; the role decides what they may see.

    - admin: every state; manages the hierarchy, accounts and users.
    - state PR officer: one state (its districts, offices and departments).
    - district official: one district and its offices only.
    """

    class Role(models.TextChoices):
        ADMIN = "admin", _("Admin")
        STATE_OFFICER = "state_officer", _("State PR officer")
        DISTRICT_OFFICIAL = "district_official", _("District official")

    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.DISTRICT_OFFICIAL)
    state = models.ForeignKey(
        "departments.State",
        verbose_name=_("state"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    district = models.ForeignKey(
        "departments.Unit",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="officials",
        limit_choices_to={"kind": "district"},
    )
    designation = models.CharField(_("designation"), max_length=200, blank=True)
    is_pr_officer = models.BooleanField(
        _("district PR officer"),
        default=False,
        help_text=_("A district official who reviews and approves the content submitted for the district's accounts."),
    )

    objects = GovsocialUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_role_scope",
                condition=(
                    Q(role="admin", district__isnull=True)
                    | Q(role="state_officer", state__isnull=False, district__isnull=True)
                    | Q(role="district_official", state__isnull=False, district__isnull=False)
                ),
                violation_error_message=_(
                    "A state PR officer needs a state; a district official needs a state and a district."
                ),
            ),
        ]

    @property
    def is_admin_role(self) -> bool:
        return self.is_superuser or self.role == self.Role.ADMIN

    @property
    def is_state_officer(self) -> bool:
        return not self.is_admin_role and self.role == self.Role.STATE_OFFICER

    @property
    def is_district_official(self) -> bool:
        return not self.is_admin_role and self.role == self.Role.DISTRICT_OFFICIAL

    def clean(self) -> None:
        super().clean()
        from django.core.exceptions import ValidationError

        if self.district_id is not None:
            if self.district.kind != "district":
                raise ValidationError({"district": _("Choose a district, not another kind of unit.")})
            if self.state_id is not None and self.district.state_id != self.state_id:
                raise ValidationError({"district": _("This district is not in the chosen state.")})
