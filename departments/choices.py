from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    DISTRICT = "district", _("District")
    STATE_DEPARTMENT = "state_department", _("State department")
    STATE_UNDERTAKING = "state_undertaking", _("State undertaking")
    DISTRICT_OFFICE = "district_office", _("District office")


class Platform(models.TextChoices):
    X = "x", _("X")
    FACEBOOK = "facebook", _("Facebook")
    YOUTUBE = "youtube", _("YouTube")


class AccountStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    REAUTH_REQUIRED = "reauth_required", _("Needs re-authorisation")
    NOT_FOUND = "not_found", _("Not found")
    SUSPENDED = "suspended", _("Suspended")
