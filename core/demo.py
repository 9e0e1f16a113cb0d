"""Demo data for ``make run``: users for every role and accounts on the simulated platform.

Deterministic (seeded by each unit's code), idempotent, and obviously demo:
handles are plausible but the numbers behind them come from the simulated
platform, never from X, Facebook or YouTube.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from departments.choices import Platform, UnitKind
from departments.models import Account, State, Unit
from metrics.models import Snapshot
from metrics.services.history import history_backfill
from users.models import User

DEMO_PASSWORD = "govsocial-demo"  # noqa: S105 - printed for the demo, by design


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    state: str | None
    district: str | None
    first_name: str
    last_name: str
    designation: str


DEMO_USERS = [
    DemoUser("admin", User.Role.ADMIN, None, None, "Asha", "Verma", "System administrator"),
    DemoUser("pr.bihar", User.Role.STATE_OFFICER, "BR", None, "Ravi", "Kumar", "Deputy Director, IPRD Bihar"),
    DemoUser("pr.rajasthan", User.Role.STATE_OFFICER, "RJ", None, "Meena", "Sharma", "Joint Director, DIPR Rajasthan"),
    DemoUser("pr.uttarakhand", User.Role.STATE_OFFICER, "UT", None, "Deepak", "Rawat", "Deputy Director, Information"),
    DemoUser("dpro.patna", User.Role.DISTRICT_OFFICIAL, "BR", "BR-PATNA", "Sunil", "Prasad", "DPRO Patna"),
    DemoUser("dpro.arwal", User.Role.DISTRICT_OFFICIAL, "BR", "BR-ARWAL", "Kavita", "Singh", "DPRO Arwal"),
    DemoUser("dpro.dausa", User.Role.DISTRICT_OFFICIAL, "RJ", "RJ-DAUSA", "Mahesh", "Meena", "PRO Dausa"),
    DemoUser("health.dausa", User.Role.DISTRICT_OFFICIAL, "RJ", "RJ-DAUSA", "Rekha", "Sharma", "CMHO Dausa"),
]

# Share of units of each kind that have an account on each platform.
COVERAGE = {
    UnitKind.DISTRICT: {Platform.X: 0.92, Platform.FACEBOOK: 0.88, Platform.YOUTUBE: 0.35},
    UnitKind.STATE_DEPARTMENT: {Platform.X: 0.75, Platform.FACEBOOK: 0.7, Platform.YOUTUBE: 0.25},
    UnitKind.STATE_UNDERTAKING: {Platform.X: 0.6, Platform.FACEBOOK: 0.7, Platform.YOUTUBE: 0.2},
    UnitKind.DISTRICT_OFFICE: {Platform.X: 0.12, Platform.FACEBOOK: 0.15, Platform.YOUTUBE: 0.0},
}
PR_OFFICE_COVERAGE = {Platform.X: 0.6, Platform.FACEBOOK: 0.7, Platform.YOUTUBE: 0.05}
KNOWN_HANDLES = {("RJ-DAUSA", Platform.X): "DmDausa"}


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "", text.title())


def _handle(unit: Unit, platform: str, taken: set[tuple[str, str]]) -> str:
    known = KNOWN_HANDLES.get((unit.code, platform))
    if known:
        return known
    parts = unit.code.split("-")[1:]
    base = _slug(" ".join(parts).lower())
    if unit.kind == UnitKind.DISTRICT:
        stem = {"x": "Dm", "facebook": "dm.", "youtube": "@Dist"}[platform] + base
    elif unit.kind == UnitKind.DISTRICT_OFFICE:
        stem = {"x": "", "facebook": "", "youtube": "@"}[platform] + base
    else:
        stem = {"x": unit.state.code, "facebook": unit.state.code.lower() + ".", "youtube": "@" + unit.state.code}[
            platform
        ] + base
    limit = {"x": 15, "facebook": 50, "youtube": 31}[platform]
    stem = stem[:limit]
    if platform == Platform.FACEBOOK and len(stem) < 5:
        stem = (stem + "page")[:limit]
    candidate, n = stem, 1
    while (platform, candidate.lower()) in taken:
        n += 1
        candidate = f"{stem[: limit - len(str(n))]}{n}"
    return candidate


def demo_users_create() -> list[User]:
    states = {s.code: s for s in State.objects.all()}
    districts = {u.code: u for u in Unit.objects.filter(kind=UnitKind.DISTRICT)}
    users = []
    for spec in DEMO_USERS:
        if spec.state and spec.state not in states:
            continue
        user, created = User.objects.get_or_create(
            username=spec.username,
            defaults={
                "role": spec.role,
                "state": states.get(spec.state) if spec.state else None,
                "district": districts.get(spec.district) if spec.district else None,
                "first_name": spec.first_name,
                "last_name": spec.last_name,
                "designation": spec.designation,
                "is_staff": spec.role == User.Role.ADMIN,
                "is_superuser": spec.role == User.Role.ADMIN,
                "email": f"{spec.username}@demo.govsocial.invalid",
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        users.append(user)
    # the district PR officers review the posts their departments submit (also for users made before this flag)
    User.objects.filter(username__startswith="dpro.", role=User.Role.DISTRICT_OFFICIAL).update(is_pr_officer=True)
    return users


def demo_accounts_create() -> int:
    """Give units accounts at realistic coverage; returns how many were created."""
    taken = {(platform, handle.lower()) for platform, handle in Account.objects.values_list("platform", "handle")}
    have = set(Account.objects.values_list("unit_id", "platform"))
    new = []
    for unit in Unit.objects.select_related("state").order_by("code"):
        rng = random.Random(unit.code)
        coverage = COVERAGE[unit.kind]
        if unit.kind == UnitKind.DISTRICT_OFFICE and unit.code.endswith("-DPRO"):
            coverage = PR_OFFICE_COVERAGE
        for platform in Platform.values:
            draw = rng.random()
            if draw >= coverage[platform] or (unit.pk, platform) in have:
                continue
            handle = _handle(unit, platform, taken)
            taken.add((platform, handle.lower()))
            new.append(
                Account(
                    unit=unit,
                    platform=platform,
                    handle=handle,
                    display_name=unit.name_en[:200],
                    verified=rng.random() < (0.5 if unit.kind != UnitKind.DISTRICT_OFFICE else 0.05),
                    # Pages are read with their own page token; the simulated platform expires a few.
                    credentials={"access_token": f"simulated-page-token-{rng.getrandbits(64):016x}"}
                    if platform == Platform.FACEBOOK
                    else None,
                )
            )
    Account.objects.bulk_create(new, batch_size=1000)
    return len(new)


# The orders of PRODUCT.md, as rules: (state, name_en, name_hi, fields).
DEMO_RULES = [
    (
        "BR",
        "A 30-minute Facebook Live every month",
        "हर महीने कम से कम 30 मिनट का फेसबुक लाइव",
        {"level": "districts", "metric": "lives", "platform": "facebook", "threshold": 1, "period": "monthly"}
        | {"min_duration_minutes": 30},
    ),
    (
        "RJ",
        "Departments post 10 times a week on X",
        "विभाग X पर सप्ताह में 10 पोस्ट करें",
        {"level": "departments", "metric": "posts", "platform": "x", "threshold": 10, "period": "weekly"},
    ),
    (
        "UT",
        "Districts grow their X followers by 5% a quarter",
        "जिले हर तिमाही X फॉलोअर्स 5% बढ़ाएं",
        {"level": "districts", "metric": "growth_pct", "platform": "x", "threshold": 5, "period": "quarterly"},
    ),
]
# Uttar Pradesh's order (every department an X account within a week) is an account mandate: compliance/demo.py.


def demo_rules_create(*, judge_months: int = 2) -> int:
    """The demo's compliance rules, and the last ``judge_months`` ended months judged, so flags show. Idempotent."""
    from compliance.models import Rule
    from compliance.services import last_ended_period, rule_evaluate, rule_save
    from departments.models import State
    from leaderboards.periods import period_for

    flags = 0
    for code, name_en, name_hi, fields in DEMO_RULES:
        state = State.objects.filter(code=code).first()
        if state is None:
            continue
        rule = Rule.objects.filter(state=state, name_en=name_en).first()
        if rule is None:
            rule = rule_save(rule=Rule(state=state, name_en=name_en, name_hi=name_hi, **fields), user=None)
        period = last_ended_period(rule.period)
        for _i in range(judge_months if rule.period == "monthly" else 1):
            if not rule.evaluations.filter(period_start=period.start).exists():
                flags += rule_evaluate(rule=rule, period=period).flags_raised
            period = period_for(rule.period, period.start - timedelta(days=1))
    return flags


def demo_notices_create() -> int:
    """Show-cause notices to the districts that failed Bihar's monthly live rule last month. Idempotent."""
    from compliance.models import Flag
    from notices.models import Notice
    from notices.services import notices_issue_from_flags

    if Notice.objects.exists():
        return 0
    admin = User.objects.filter(role=User.Role.ADMIN).order_by("pk").first()
    flags = list(
        Flag.objects.filter(rule__state__code="BR", rule__metric="lives")
        .select_related("unit", "unit__state")
        .order_by("-period_start", "unit__name_en")[:11]
    )
    if admin is None or not flags:
        return 0
    deadline = timezone.now() + timedelta(days=7)
    return len(notices_issue_from_flags(flags=flags, user=admin, deadline=deadline))


DEMO_POSTS = [
    (
        "RJ-DAUSA-HEALTH",
        "welfare_scheme",
        "Mukhyamantri Ayushman Arogya Yojana",
        "दौसा: मुख्यमंत्री आयुष्मान आरोग्य योजना के तहत आज जिला अस्पताल में 312 मरीजों का निःशुल्क उपचार हुआ। "
        "Free treatment for 312 patients at the district hospital today.",
        "publish",
    ),
    (
        "RJ-DAUSA-HEALTH",
        "event",
        "",
        "दौसा: 25 नवंबर को सभी ग्राम पंचायतों में स्वास्थ्य शिविर। Health camps in every gram panchayat on 25 November.",
        "submit",
    ),
    (
        "RJ-DAUSA-HEALTH",
        "advisory",
        "",
        "शीतलहर से बचाव: बुजुर्ग और बच्चे गर्म कपड़े पहनें। Cold wave advisory for the elderly and children.",
        "draft",
    ),
]


@transaction.atomic
def demo_posts_create() -> int:
    """The Dausa story: the health department's posts, one published through the PR office. Idempotent."""
    from content.models import Submission
    from content.services import submission_review, submission_save, submission_submit, target_publish

    author = User.objects.filter(username="health.dausa").first()
    reviewer = User.objects.filter(username="dpro.dausa").first()
    if author is None or reviewer is None or Submission.objects.exists():
        return 0
    district_x = Account.objects.filter(unit__code="RJ-DAUSA", platform=Platform.X).first()
    district_fb = Account.objects.filter(unit__code="RJ-DAUSA", platform=Platform.FACEBOOK).first()
    accounts = [account for account in (district_x, district_fb) if account]
    made = 0
    for code, category, scheme, text, step in DEMO_POSTS:
        unit = Unit.objects.filter(code=code).first()
        if unit is None or not accounts:
            continue
        submission = submission_save(
            user=author, unit=unit, text=text, category=category, scheme=scheme, accounts=accounts
        )
        made += 1
        if step in ("submit", "publish"):
            submission_submit(submission=submission, user=author)
        if step == "publish":
            submission_review(submission=submission, user=reviewer, decision="approve")
            for target in submission.targets.all():
                target_publish(target.pk)  # the simulated platform answers at once
    return made


def demo_seed(*, history_days: int = 90) -> dict:
    with transaction.atomic():
        users = demo_users_create()
        accounts = demo_accounts_create()
    history = {"snapshots": 0, "posts": 0}
    # History once: a second `make run` keeps what the worker has added since.
    if history_days and settings.GOVSOCIAL_PLATFORM_MODE == "simulated" and not Snapshot.objects.exists():
        history = history_backfill(days=history_days)
    flags = demo_rules_create()
    notices = demo_notices_create()
    posts = demo_posts_create() if settings.GOVSOCIAL_PLATFORM_MODE == "simulated" else 0
    # Issue #7: Dausa's campaign and a closed Bihar one; Uttar Pradesh's account mandate; Dausa's staff rosters.
    from campaigns.demo import demo_campaigns_create
    from compliance.demo import demo_mandates_create
    from staff.demo import demo_staff_create

    campaigns = demo_campaigns_create()
    flags += demo_mandates_create()
    staff = demo_staff_create()
    return {
        "users": users,
        "accounts": accounts,
        "history": history,
        "flags": flags,
        "notices": notices,
        "posts": posts,
        "campaigns": campaigns,
        "staff": staff,
    }
