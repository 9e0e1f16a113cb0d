"""Writes of show-cause notices: issuing (by hand or from flags), replying, deciding, escalating.

Every status change is a conditional update from the status ``notices.machine`` allows, inside a
transaction with its ``NoticeEvent``, so a crafted or repeated request changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.models import Flag
from departments.choices import UnitKind
from departments.models import Unit
from departments.selectors import units_for
from notices.machine import AWAITING_REPLY, DECISIONS, NoticeAction, NoticeStatus, next_status
from notices.models import Notice, NoticeCounter, NoticeEvent, NoticeReply, ReplyAttachment
from users.models import User


def _require_admin(user: User) -> None:
    if not user.is_admin_role:
        raise PermissionDenied(_("Only admins issue show-cause notices and decide on replies."))


def _next_number(state, year: int) -> tuple[int, str]:
    """The next serial in the state's series for the year: the counter row is locked until commit."""
    NoticeCounter.objects.get_or_create(state=state, year=year)
    counter = NoticeCounter.objects.select_for_update().get(state=state, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last, f"{state.notice_series}/{year}/{counter.last:04d}"


def addressee_for(unit: Unit) -> tuple[str, str, str, str]:
    """The unit's head, and its PR officer in copy: (addressee en, hi, copy to en, hi)."""
    if unit.kind == UnitKind.DISTRICT:
        return (
            f"The District Magistrate, {unit.name_en}",
            f"जिलाधिकारी, {unit.name_hi}",
            f"District Public Relations Officer, {unit.name_en}",
            f"जिला जनसंपर्क पदाधिकारी, {unit.name_hi}",
        )
    if unit.kind == UnitKind.DISTRICT_OFFICE and unit.district_id:
        district = unit.district
        return (
            f"The Head of Office, {unit.name_en}",
            f"कार्यालय प्रधान, {unit.name_hi}",
            f"District Public Relations Officer, {district.name_en}",
            f"जिला जनसंपर्क पदाधिकारी, {district.name_hi}",
        )
    return (
        f"The Secretary, {unit.name_en}",
        f"सचिव, {unit.name_hi}",
        f"Nodal Officer (Social Media), {unit.name_en}",
        f"नोडल पदाधिकारी (सोशल मीडिया), {unit.name_hi}",
    )


def _flag_evidence(flag: Flag) -> dict:
    evidence = flag.evidence
    return {
        "flag": flag.pk,
        "rule_en": evidence.get("rule", {}).get("text_en", ""),
        "rule_hi": evidence.get("rule", {}).get("text_hi", ""),
        "period": evidence.get("period", {}),
        "value": evidence.get("value"),
        "threshold": evidence.get("threshold"),
        "comparison": evidence.get("comparison"),
        "median": evidence.get("median"),
        "rank": evidence.get("rank"),
        "units_compared": evidence.get("units_compared"),
        "reason": evidence.get("reason", ""),
    }


def _default_reason(unit: Unit, evidence: list[dict]) -> tuple[str, str]:
    lines_en, lines_hi = [], []
    for item in evidence:
        period = item["period"]
        figures = {
            "value": item["value"] if item["value"] is not None else "—",
            "threshold": item["threshold"],
            "median": item["median"] if item["median"] is not None else "—",
            "start": period.get("start", ""),
            "end": period.get("end", ""),
        }
        lines_en.append(
            f"{item['rule_en']} From {figures['start']} to {figures['end']} the figure was {figures['value']}, "
            f"against {figures['threshold']} required (median of the units compared: {figures['median']})."
        )
        lines_hi.append(
            f"{item['rule_hi']} {figures['start']} से {figures['end']} तक यह आँकड़ा {figures['value']} रहा, "
            f"जबकि अपेक्षित {figures['threshold']} था (तुलना की गई इकाइयों का माध्यिका: {figures['median']})।"
        )
    intro_en = (
        f"It has been observed that {unit.name_en} did not meet the social media directions of the "
        "state government, as follows:"
    )
    intro_hi = (
        f"यह पाया गया है कि {unit.name_hi} द्वारा राज्य सरकार के सोशल मीडिया संबंधी निर्देशों का "
        "पालन नहीं किया गया, जिसका विवरण निम्नवत है:"
    )
    outro_en = "You are directed to explain the reasons in writing, with supporting documents, by the date given."
    outro_hi = "आपको निर्देश दिया जाता है कि निर्धारित तिथि तक कारणों का लिखित स्पष्टीकरण, साक्ष्य सहित, प्रस्तुत करें।"
    return (
        "\n".join([intro_en, *(f"• {line}" for line in lines_en), outro_en]),
        "\n".join([intro_hi, *(f"• {line}" for line in lines_hi), outro_hi]),
    )


def _event(notice: Notice, action: str, user: User | None, *, frm: str = "", to: str = "", note: str = "", **data):
    return NoticeEvent.objects.create(
        notice=notice, action=action, from_status=frm, to_status=to, by=user, at=timezone.now(), note=note, data=data
    )


@transaction.atomic
def notice_issue(
    *,
    unit: Unit,
    user: User,
    deadline: datetime,
    reason_en: str = "",
    reason_hi: str = "",
    flags: Sequence[Flag] = (),
    subject_en: str = "",
    subject_hi: str = "",
    escalated_from: Notice | None = None,
) -> Notice:
    """Issue a numbered notice to a unit, with the evidence of its flags (if any) and a reply deadline."""
    _require_admin(user)
    now = timezone.now()
    if deadline <= now:
        raise ValidationError({"deadline": _("The reply deadline must be in the future.")})
    if any(flag.unit_id != unit.pk for flag in flags):
        raise ValidationError(_("Every flag of a notice must be the addressed unit's own."))
    evidence = [_flag_evidence(flag) for flag in flags]
    if not (reason_en.strip() and reason_hi.strip()):
        if not evidence:
            raise ValidationError(_("Write the reason, in English and in Hindi."))
        default_en, default_hi = _default_reason(unit, evidence)
        reason_en, reason_hi = reason_en.strip() or default_en, reason_hi.strip() or default_hi
    sequence, number = _next_number(unit.state, timezone.localdate(now).year)
    addressee_en, addressee_hi, copy_en, copy_hi = addressee_for(unit)
    notice = Notice.objects.create(
        state=unit.state,
        number=number,
        year=timezone.localdate(now).year,
        sequence=sequence,
        unit=unit,
        addressee_en=addressee_en,
        addressee_hi=addressee_hi,
        copy_to_en=copy_en,
        copy_to_hi=copy_hi,
        subject_en=subject_en or "Show-cause notice on social media directions",
        subject_hi=subject_hi or "सोशल मीडिया संबंधी निर्देशों के अनुपालन हेतु कारण बताओ नोटिस",
        reason_en=reason_en.strip(),
        reason_hi=reason_hi.strip(),
        evidence=evidence,
        deadline=deadline,
        issued_by=user,
        issued_at=now,
        status_changed_at=now,
        escalated_from=escalated_from,
        level=(escalated_from.level + 1) if escalated_from else 1,
    )
    if flags:
        notice.flags.set(flags)
    _event(notice, NoticeAction.ISSUE, user, to=NoticeStatus.ISSUED, deadline=deadline.isoformat())
    return notice


@transaction.atomic
def notices_issue_from_flags(
    *, flags: Iterable[Flag], user: User, deadline: datetime, reason_en: str = "", reason_hi: str = ""
) -> list[Notice]:
    """One notice per unit for the flags given ("send notices to all eleven"), each with its flags' evidence."""
    _require_admin(user)
    by_unit: dict[int, list[Flag]] = defaultdict(list)
    units: dict[int, Unit] = {}
    for flag in flags:
        by_unit[flag.unit_id].append(flag)
        units[flag.unit_id] = flag.unit
    if not by_unit:
        raise ValidationError(_("Choose at least one flag."))
    return [
        notice_issue(
            unit=units[unit_id],
            user=user,
            deadline=deadline,
            flags=unit_flags,
            reason_en=reason_en,
            reason_hi=reason_hi,
        )
        for unit_id, unit_flags in sorted(by_unit.items(), key=lambda item: units[item[0]].name_en)
    ]


def may_reply(notice: Notice, user: User) -> bool:
    """The unit's own district officials reply; never the officer who issued the notice."""
    return (
        user.is_district_official
        and user.pk != notice.issued_by_id
        and units_for(user).filter(pk=notice.unit_id).exists()
    )


@transaction.atomic
def notice_reply(*, notice: Notice, user: User, text: str, attachments: Sequence = ()) -> NoticeReply:
    """The unit's reply, with attachments already cleaned (``notices.uploads.upload_clean``).

    A reply after the deadline is accepted and marked late.
    """
    if not may_reply(notice, user):
        raise PermissionDenied(_("Only the addressed unit's own officials can reply to this notice."))
    if not text.strip():
        raise ValidationError({"text": _("Write the reply.")})
    now = timezone.now()
    locked = Notice.objects.select_for_update().get(pk=notice.pk)
    if locked.status not in AWAITING_REPLY:
        raise ValidationError(
            _("This notice is not awaiting a reply (it is: %(status)s).") % {"status": locked.get_status_display()}
        )
    to = next_status(locked.status, NoticeAction.REPLY)
    reply = NoticeReply.objects.create(
        notice=locked,
        round=locked.replies.count() + 1,
        text=text.strip(),
        submitted_by=user,
        submitted_at=now,
        deadline=locked.deadline,
        late=now > locked.deadline,
    )
    for upload in attachments:
        attachment = ReplyAttachment(
            reply=reply, name=upload.name, content_type=upload.content_type, size=upload.size, sha256=upload.sha256
        )
        attachment.file.save(upload.name, ContentFile(upload.data), save=False)
        attachment.save()
    Notice.objects.filter(pk=locked.pk, status=locked.status).update(status=to, status_changed_at=now)
    _event(locked, NoticeAction.REPLY, user, frm=locked.status, to=to, late=reply.late, round=reply.round)
    notice.refresh_from_db()
    return reply


def escalation_unit(unit: Unit) -> Unit:
    """The next authority: a district office's district; otherwise the same unit, at the next level."""
    if unit.kind == UnitKind.DISTRICT_OFFICE and unit.district_id:
        return unit.district
    return unit


@transaction.atomic
def notice_decide(
    *,
    notice: Notice,
    user: User,
    action: str,
    note: str = "",
    new_deadline: datetime | None = None,
) -> Notice:
    """Accept, reject, ask for more information (a new deadline) or escalate (a new notice, linked).

    Returns the notice decided on; after an escalation, ``notice.escalation`` is the new notice.
    """
    _require_admin(user)
    if action not in DECISIONS:
        raise ValidationError(_("Unknown decision."))
    now = timezone.now()
    locked = Notice.objects.select_for_update().get(pk=notice.pk)
    to = next_status(locked.status, action)
    if to is None:
        raise ValidationError(
            _("A notice that is “%(status)s” cannot be decided that way.") % {"status": locked.get_status_display()}
        )
    if locked.status in AWAITING_REPLY and now <= locked.deadline:
        raise ValidationError(_("The unit can still reply until the deadline; escalate only after it."))
    changes = {"status": to, "status_changed_at": now}
    data = {}
    if action == NoticeAction.MORE_INFO:
        if not note.strip():
            raise ValidationError({"note": _("Say what more information is needed.")})
        if new_deadline is None or new_deadline <= now:
            raise ValidationError({"new_deadline": _("Give a new reply deadline in the future.")})
        changes.update(deadline=new_deadline, overdue=False)
        data["deadline"] = new_deadline.isoformat()
    if action in (NoticeAction.REJECT, NoticeAction.ESCALATE) and not note.strip():
        raise ValidationError({"note": _("Give the reason for this decision.")})
    updated = Notice.objects.filter(pk=locked.pk, status=locked.status).update(**changes)
    if not updated:  # pragma: no cover - the row is locked; kept as the rule, not a race handler
        raise ValidationError(_("Someone else decided on this notice just now; reload the page."))
    _event(locked, action, user, frm=locked.status, to=to, note=note.strip(), **data)
    if action == NoticeAction.ESCALATE:
        target = escalation_unit(locked.unit)
        reason_en = (
            f"Notice {locked.number} to {locked.unit.name_en} has been escalated: {note.strip()}\n\n{locked.reason_en}"
        )
        reason_hi = (
            f"नोटिस {locked.number} ({locked.unit.name_hi}) को आगे बढ़ाया गया है: {note.strip()}\n\n{locked.reason_hi}"
        )
        new_deadline = (
            new_deadline if new_deadline and new_deadline > now else now + (locked.deadline - locked.issued_at)
        )
        escalation = notice_issue(
            unit=target,
            user=user,
            deadline=new_deadline,
            reason_en=reason_en,
            reason_hi=reason_hi,
            flags=[flag for flag in locked.flags.all() if flag.unit_id == target.pk],
            subject_en=f"Escalation of notice {locked.number}",
            subject_hi=f"नोटिस {locked.number} का उच्च स्तर पर संदर्भ",
            escalated_from=locked,
        )
        escalation.evidence = locked.evidence
        escalation.save(update_fields=["evidence"])
    notice.refresh_from_db()
    return notice
