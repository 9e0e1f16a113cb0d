"""The show-cause notice's state machine, as data: which action moves a notice from which status to which.

The services are the only code that changes a notice's status, and each change is a conditional
update from the status this table allows, so no step can be skipped or repeated by a crafted or
repeated request. Who may act is decided here too (see ``actor_may``).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class NoticeStatus(models.TextChoices):
    ISSUED = "issued", _("Awaiting reply")
    REPLIED = "replied", _("Replied, awaiting decision")
    MORE_INFO = "more_info", _("More information asked")
    ACCEPTED = "accepted", _("Explanation accepted")
    REJECTED = "rejected", _("Explanation rejected")
    ESCALATED = "escalated", _("Escalated")


class NoticeAction(models.TextChoices):
    ISSUE = "issue", _("Issued")
    REPLY = "reply", _("Replied")
    ACCEPT = "accept", _("Accepted the explanation")
    REJECT = "reject", _("Rejected the explanation")
    MORE_INFO = "more_info", _("Asked for more information")
    ESCALATE = "escalate", _("Escalated")
    REMIND = "remind", _("Reminder sent")
    OVERDUE = "overdue", _("Marked overdue")


AWAITING_REPLY = {NoticeStatus.ISSUED, NoticeStatus.MORE_INFO}
CLOSED = {NoticeStatus.ACCEPTED, NoticeStatus.REJECTED, NoticeStatus.ESCALATED}

# (from status, action) -> to status
TRANSITIONS: dict[tuple[str, str], str] = {
    (NoticeStatus.ISSUED, NoticeAction.REPLY): NoticeStatus.REPLIED,
    (NoticeStatus.MORE_INFO, NoticeAction.REPLY): NoticeStatus.REPLIED,
    (NoticeStatus.REPLIED, NoticeAction.ACCEPT): NoticeStatus.ACCEPTED,
    (NoticeStatus.REPLIED, NoticeAction.REJECT): NoticeStatus.REJECTED,
    (NoticeStatus.REPLIED, NoticeAction.MORE_INFO): NoticeStatus.MORE_INFO,
    (NoticeStatus.REPLIED, NoticeAction.ESCALATE): NoticeStatus.ESCALATED,
    # A unit that never answers can be escalated once its deadline has passed (checked by the service).
    (NoticeStatus.ISSUED, NoticeAction.ESCALATE): NoticeStatus.ESCALATED,
    (NoticeStatus.MORE_INFO, NoticeAction.ESCALATE): NoticeStatus.ESCALATED,
}

DECISIONS = (NoticeAction.ACCEPT, NoticeAction.REJECT, NoticeAction.MORE_INFO, NoticeAction.ESCALATE)


def next_status(status: str, action: str) -> str | None:
    return TRANSITIONS.get((status, action))


def allowed_actions(status: str) -> list[str]:
    return [action for (frm, action) in TRANSITIONS if frm == status]
