"""Time the campaign pages on a whole-state campaign of Uttar Pradesh's size, and on one district's offices.

Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/govsocial REDIS_URL=redis://127.0.0.1:6379/0 \
       GOVSOCIAL_ENV=development .venv/bin/python bench/campaign_benchmark.py [--scale state|district|both] \
       [--regenerate] [--explain] [--iterations N] [--warmup N]

It fills its own database, ``govsocial_bench_campaign``, by ``COPY`` (reused on a later run of the same
IST day and shape; ``--regenerate`` starts again): one state (code BU) of Uttar Pradesh's size, with
75 districts, 80 state departments and 20 undertakings, 25 department offices in every district, and an
account on X, Facebook and YouTube for every unit (5,925 accounts). The units of two scenarios are polled
hourly, from 30 days before the first of their campaigns to the current hour (24 snapshots an account a
day); every other account daily:
- state: the whole state (75 districts + 100 departments and undertakings = 175 units, 525 accounts);
- district: the 25 department offices of one district (75 accounts).
Each scenario has two 15-day campaigns with the same targets (follower growth +2 % on X, 45 posts on X,
30 retweets on X, 2 Facebook Lives of 30+ minutes): one closed, which ran from 22 to 8 days ago and was
closed at its end (its report frozen), and one running since 7 days ago, so that today is its day 8.
Posts are written at a few a day per account during the campaigns and a few a week before (as the
leaderboard benchmark), with the kinds the targets count (X retweets, Facebook Lives of 5-90 minutes).
The campaigns are created, started and closed by the services (``campaigns.services``), as the app does.

Then, in this process with Django's test client logged in as the state's PR officer, it requests
- on day 8 of the running campaign: the campaign page, one unit's page and the report (figures so far);
- after the close: the campaign page, the frozen report and its CSV;
each interleaved with a bare logged-in page (the base template through the whole middleware stack),
warm and with the cache emptied before each request, and prints p50 and p95, their ratios against the
bare page, the SQL query count (and the number of SELECTs in the largest query, which would grow with
the campaign's days), and whether the campaign page's warm p95 meets 500 ms; then the selector
(``campaigns.selectors.campaign_progress``) alone. ``--explain`` prints EXPLAIN ANALYZE of every query of
one request of the running campaign's page.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from bench.leaderboard_benchmark import (  # noqa: E402 - after the path is set
    _KINDS,
    _PER_WEEK,
    ACCOUNT_COLUMNS,
    _admin_connection,
    _copy,
    _explain,
    _next_id,
    _percentile,
    _pick,
    _poisson,
    _sync_sequence,
    _text,
    _without_indexes,
)

BENCH_DB = "govsocial_bench_campaign"
STATE_CODE = "BU"
GOAL_P95_MS = 500
PLATFORMS = ("x", "facebook", "youtube")
IST = timedelta(hours=5, minutes=30)
SCENARIOS = ("state", "district")
# Posts a day of a participating account while a campaign runs (before: the leaderboard benchmark's week rates).
CAMPAIGN_PER_DAY = {"x": 4.0, "facebook": 1.5, "youtube": 0.3}
TARGETS = [
    {"metric": "followers_pct", "platform": "x", "value": Decimal("2")},
    {"metric": "posts", "platform": "x", "value": Decimal("45")},
    {"metric": "reposts", "platform": "x", "value": Decimal("30")},
    {"metric": "lives", "platform": "facebook", "value": Decimal("2"), "live_minimum_minutes": 30},
]


@dataclass(frozen=True)
class Shape:
    districts: int = 75
    departments: int = 80
    undertakings: int = 20
    offices_per_district: int = 25
    campaign_days: int = 15
    history_days: int = 30  # hourly snapshots before the first campaign of the participants
    running_day: int = 8  # today is this day of the running campaigns
    gap_days: int = 0  # days between the closed campaigns' last day and the running ones' first
    seed: int = 7
    generator: int = 1  # bumped when the generator writes other data

    @property
    def closed_first(self) -> int:
        """The closed campaigns' first day, in days before today."""
        return self.running_day - 1 + self.gap_days + self.campaign_days

    @property
    def first_day(self) -> int:
        """The first day of snapshots, in days before today."""
        return self.closed_first + self.history_days


# --- generation ---------------------------------------------------------------------------------


def _ist_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC) - IST


def generate(cursor, shape: Shape, *, today: date, now: datetime) -> dict:
    """The state, its units and accounts, the snapshots and the posts, by COPY. Returns rows per table."""
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    rng = random.Random(shape.seed)
    stamp = now.isoformat()
    state_id = _next_id(cursor, "departments_state")
    _copy(
        cursor,
        "departments_state",
        ("id", "code", "name_en", "name_hi", "notice_prefix", "districts_post_to_state_accounts"),
        [f"{state_id}\t{STATE_CODE}\tBenchland\tबेंचलैंड\t\tf\n"],
    )
    unit_id = _next_id(cursor, "departments_unit")
    units = []  # (id, kind, code, name_en, name_hi, district_id, department_id, hourly)
    departments = []
    for k in range(1, shape.departments + shape.undertakings + 1):
        kind = "state_department" if k <= shape.departments else "state_undertaking"
        units.append((unit_id, kind, f"{STATE_CODE}-DEPT{k:03}", f"Department {k}", f"विभाग {k}", None, None, True))
        departments.append(unit_id)
        unit_id += 1
    for d in range(1, shape.districts + 1):
        district = unit_id
        units.append((district, "district", f"{STATE_CODE}-D{d:03}", f"District {d}", f"ज़िला {d}", None, None, True))
        unit_id += 1
        for k in range(1, shape.offices_per_district + 1):
            units.append(
                (
                    unit_id,
                    "district_office",
                    f"{STATE_CODE}-D{d:03}-DEPT{k:03}",
                    f"Department {k}, District {d}",
                    f"विभाग {k}, ज़िला {d}",
                    district,
                    departments[k - 1],
                    d == 1,  # the offices of the first district take part in the district scenario
                )
            )
            unit_id += 1
    _copy(
        cursor,
        "departments_unit",
        (
            "id",
            "state_id",
            "kind",
            "code",
            "name_en",
            "name_hi",
            "district_id",
            "department_id",
            "is_active",
            "created_at",
            "updated_at",
        ),
        (
            "\t".join(_text(value) for value in (uid, state_id, kind, code, en, hi, district, department))
            + f"\tt\t{stamp}\t{stamp}\n"
            for uid, kind, code, en, hi, district, department, _hourly in units
        ),
    )
    account_id = _next_id(cursor, "departments_account")
    accounts = []  # (id, kind, platform, hourly)
    lines = []
    for uid, kind, code, *_names, _district, _department, hourly in units:
        for platform in PLATFORMS:
            accounts.append((account_id, kind, platform, hourly))
            lines.append(
                f"{account_id}\t{uid}\t{platform}\t{code.lower()}-{platform[:2]}\t\t\tf\tactive\t\t{stamp}\t{stamp}\n"
            )
            account_id += 1
    _copy(cursor, "departments_account", ACCOUNT_COLUMNS, lines)
    for table in ("departments_state", "departments_unit", "departments_account"):
        _sync_sequence(cursor, table)
    counts = {"units": len(units), "accounts": len(accounts), "hourly accounts": sum(a[3] for a in accounts)}

    first = _ist_midnight(today - timedelta(days=shape.first_day))
    last_slot = now.replace(minute=0, second=0, microsecond=0)
    if now.minute < 30:  # the current hour's poll has not run yet
        last_slot -= timedelta(hours=1)
    hours = int((last_slot - first).total_seconds() // 3600) + 1
    campaign_hours = [
        (_ist_midnight(today - timedelta(days=shape.closed_first)), shape.campaign_days),
        (_ist_midnight(today - timedelta(days=shape.running_day - 1)), shape.campaign_days),
    ]
    boosted = set()
    for start, days in campaign_hours:
        offset = int((start - first).total_seconds() // 3600)
        boosted.update(range(offset, offset + days * 24))
    restore = _without_indexes(cursor, "metrics_snapshot")
    counter = [0]
    _copy(
        cursor,
        "metrics_snapshot",
        ("account_id", "slot", "taken_at", "followers", "following", "posts_total", "listed", "likes", "views"),
        _snapshot_chunks(accounts, first, hours, boosted, rng, counter),
    )
    for statement in restore:
        cursor.execute(statement)
    counts["snapshots"] = counter[0]

    restore = _without_indexes(cursor, "metrics_post")
    counter = [0]
    _copy(
        cursor,
        "metrics_post",
        (
            "account_id",
            "platform_post_id",
            "kind",
            "created_at",
            "text",
            "url",
            "duration_seconds",
            "live_status",
            "likes",
            "reposts",
            "replies",
            "quotes",
            "views",
            "first_seen_at",
            "metrics_updated_at",
        ),
        _post_chunks(accounts, first, (last_slot - first).days + 1, now, campaign_hours, rng, counter),
    )
    for statement in restore:
        cursor.execute(statement)
    counts["posts"] = counter[0]
    return counts


def _snapshot_chunks(accounts, first: datetime, hours: int, boosted: set[int], rng, counter) -> Iterator[str]:
    """One chunk of COPY lines per hour: every hourly account's snapshot, and at 00:00 UTC (06:00 IST) every
    daily one's. Followers grow steadily, faster while a campaign runs; one hourly account in 40 misses a run
    of 1-30 hours (a gap), as real polls do."""
    series = []
    for account_id, kind, platform, hourly in accounts:
        followers = rng.randint(5_000, 300_000) if kind != "district_office" else rng.randint(100, 20_000)
        if platform == "youtube":
            followers //= 20
        per_hour = max(1, followers * rng.randint(2, 30) // 10_000) / 24
        skipped = range(0)
        if hourly and rng.random() < 0.025:
            gap = rng.randrange(hours)
            skipped = range(gap, gap + rng.randint(1, 30))
        following = f"{rng.randint(10, 900)}" if platform == "x" else "\\N"
        series.append((account_id, hourly, skipped, followers, per_hour, rng.randint(100, 5_000), following))
    grown, tail = 0.0, "\t\\N\t\\N\t\\N\n"
    for hour in range(hours):
        grown += 3.0 if hour in boosted else 1.0  # campaigns triple the growth rate
        slot = first + timedelta(hours=hour)
        daily = slot.hour == 0
        prefix = f"\t{slot:%Y-%m-%d %H:%M}+00\t{slot:%Y-%m-%d %H}:31:00+00\t"
        lines = [
            f"{account_id}{prefix}{followers + int(per_hour * grown)}\t{following}\t{posts + hour // 6}{tail}"
            for account_id, hourly, skipped, followers, per_hour, posts, following in series
            if (hourly or daily) and hour not in skipped
        ]
        counter[0] += len(lines)
        yield "".join(lines)


def _post_chunks(accounts, first: datetime, days: int, now: datetime, campaigns, rng, counter) -> Iterator[str]:
    """One chunk of COPY lines per day: each account's posts of that day, more while its campaigns run."""
    campaign_days = set()
    for start, length in campaigns:
        offset = (start - first).days
        campaign_days.update(range(offset, offset + length))
    post_id = 0
    for day in range(days):
        day_start = first.timestamp() + day * 86_400
        lines = []
        for account_id, kind, platform, hourly in accounts:
            if hourly and day in campaign_days:
                rate = CAMPAIGN_PER_DAY[platform]
            else:
                rate = (_PER_WEEK[platform] if kind != "district_office" else 1.0) / 7
            for _ in range(_poisson(rng, rate)):
                created = datetime.fromtimestamp(day_start + rng.random() * 86_400, UTC)
                if created >= now:
                    continue
                post_id += 1
                post_kind = _pick(_KINDS[platform], rng.random())
                duration, status = "\\N", ""
                if post_kind == "live":
                    duration, status = str(rng.randint(5, 90) * 60), "VOD"
                elif post_kind == "video":
                    duration = str(rng.randint(30, 900))
                likes = rng.randint(0, 400)
                reposts, replies, quotes = (0, 0, 0) if post_kind == "repost" else (likes // 5, likes // 8, 0)
                seen = min(created + timedelta(hours=1), now).isoformat()
                lines.append(
                    f"{account_id}\t{post_id}\t{post_kind}\t{created.isoformat()}\t\t\t{duration}\t{status}\t"
                    f"{likes}\t{reposts}\t{replies}\t{quotes}\t{likes * 12}\t{seen}\t{seen}\n"
                )
        counter[0] += len(lines)
        yield "".join(lines)


# --- the benchmark database ------------------------------------------------------------------


def prepare_database(base_url: str, shape: Shape, *, regenerate: bool) -> tuple[str, dict | None]:
    """Create, migrate and fill the database unless it holds this shape generated today (IST).

    Returns its URL and its meta (None when the campaigns are still to be created)."""
    import psycopg2

    url = base_url.rsplit("/", 1)[0] + "/" + BENCH_DB
    now = datetime.now(UTC)
    today = (now + IST).date()
    admin = _admin_connection(base_url)
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB])
        exists = cursor.fetchone() is not None
    meta = None
    if exists and not regenerate:
        connection = psycopg2.connect(url)
        with connection, connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass('bench_campaign_meta') IS NOT NULL")
            if cursor.fetchone()[0]:
                cursor.execute("SELECT meta FROM bench_campaign_meta")
                row = cursor.fetchone()
                meta = row[0] if row else None
        connection.close()
        if meta is not None and (meta["shape"] != json.loads(json.dumps(asdict(shape))) or meta["today"] != str(today)):
            print(f"{BENCH_DB} holds another shape or another day's data: generating again")
            meta = None
    if meta is None:
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
            cursor.execute(f"CREATE DATABASE {BENCH_DB}")
    admin.close()
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "govsocial.settings"}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, check=True, env=env)
    if meta is not None:
        print(f"reusing {BENCH_DB}: generated {meta['generated_at']} in {meta['seconds']:.0f}s, {_counts(meta)}")
        return url, meta

    print(f"generating into {BENCH_DB}: {shape}")
    started = time.perf_counter()
    connection = psycopg2.connect(url)
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        cursor.execute("SET synchronous_commit = off")
        counts = generate(cursor, shape, today=today, now=now)
    connection.commit()
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    connection.close()
    meta = {
        "shape": asdict(shape),
        "today": str(today),
        "generated_at": now.isoformat(timespec="seconds"),
        "counts": counts,
        "seconds": round(time.perf_counter() - started, 1),
    }
    print(f"generated in {meta['seconds']:.0f}s: {_counts(meta)}")
    return url, {**meta, "fresh": True}


def _save_meta(url: str, meta: dict) -> None:
    import psycopg2

    connection = psycopg2.connect(url)
    with connection, connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_campaign_meta (meta jsonb NOT NULL)")
        cursor.execute("INSERT INTO bench_campaign_meta VALUES (%s)", [json.dumps(meta)])
    connection.close()


def _counts(meta: dict) -> str:
    return ", ".join(f"{value:,} {key}" for key, value in meta["counts"].items())


def create_campaigns(shape: Shape, meta: dict) -> None:
    """Each scenario's closed and running campaign, through the services with their own ``now``."""
    from campaigns import services
    from campaigns.models import CampaignScope
    from departments.models import State, Unit
    from leaderboards.periods import Period
    from users.models import User

    state = State.objects.get(code=STATE_CODE)
    officer = _officer(state)
    today = date.fromisoformat(meta["today"])
    district = Unit.objects.get(code=f"{STATE_CODE}-D001")
    offices = list(Unit.objects.filter(district=district, kind="district_office"))
    assert User.objects.filter(pk=officer.pk).exists()
    for scenario in SCENARIOS:
        scope = {"scope": CampaignScope.STATE} if scenario == "state" else {}
        if scenario == "district":
            scope = {"scope": CampaignScope.DISTRICT_OFFICES, "district": district, "units": offices}
        for which, first in (("closed", shape.closed_first), ("running", shape.running_day - 1)):
            first_day = today - timedelta(days=first)
            period = Period("custom", first_day, first_day + timedelta(days=shape.campaign_days - 1))
            started = time.perf_counter()
            campaign = services.campaign_create(
                user=officer,
                state=state,
                name_en=f"bench {scenario} {which}",
                name_hi=f"बेंच {scenario} {which}",
                starts_on=period.start,
                ends_on=period.end,
                targets=TARGETS,
                now=period.start_at - timedelta(days=1),
                **scope,
            )
            now = period.start_at + timedelta(minutes=1) if which == "closed" else datetime.now(UTC)
            services.campaign_start(campaign=campaign, user=officer, now=now)
            opened = time.perf_counter() - started
            units = campaign.units.count()
            line = f"{scenario} {which} campaign {campaign.pk}: {units} units, started in {opened:.1f}s"
            if which == "closed":
                started = time.perf_counter()
                services.campaign_close(campaign=campaign, user=officer, now=period.end_at + timedelta(minutes=1))
                line += f", closed (report frozen) in {time.perf_counter() - started:.1f}s"
            print(line)


def _officer(state):
    from users.models import User

    officer, _created = User.objects.get_or_create(
        username="bench.officer", defaults={"role": User.Role.STATE_OFFICER, "state": state}
    )
    return officer


# --- the measurement -------------------------------------------------------------------------


def _bench_urlconf():
    import types

    from django.shortcuts import render
    from django.urls import include, path

    def bare(request):
        return render(request, "base.html")

    module = types.ModuleType("bench_campaign_urls")
    module.urlpatterns = [path("bench/bare/", bare), path("", include("govsocial.urls"))]
    return module


def _pages(scenario: str) -> list[tuple[str, str]]:
    from django.urls import reverse

    from campaigns.models import Campaign

    running = Campaign.objects.get(name_en=f"bench {scenario} running")
    closed = Campaign.objects.get(name_en=f"bench {scenario} closed")
    unit = running.units.select_related("unit").order_by("unit__code").first().unit
    report = reverse("campaigns:report", args=[closed.pk])
    return [
        ("running: campaign page", running.get_absolute_url()),
        ("running: one unit", reverse("campaigns:unit", args=[running.pk, unit.code])),
        ("running: report", reverse("campaigns:report", args=[running.pk])),
        ("closed: campaign page", closed.get_absolute_url()),
        ("closed: report", report),
        ("closed: report CSV", report + "?format=csv"),
    ]


def measure(scenario: str, *, iterations: int, warmup: int, explain: bool) -> list[dict]:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from departments.models import State

    client = Client()
    client.force_login(_officer(State.objects.get(code=STATE_CODE)))
    bare = "/bench/bare/"
    results = []
    for label, url in _pages(scenario):
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        queries = list(captured.captured_queries)
        for _ in range(warmup):
            client.get(url)
            client.get(bare)
        page_ms, bare_ms, cold_ms = [], [], []
        for _ in range(iterations):
            for target, samples in ((url, page_ms), (bare, bare_ms)):
                began = time.perf_counter()
                response = client.get(target)
                samples.append((time.perf_counter() - began) * 1000)
                assert response.status_code == 200, (target, response.status_code)
        for _ in range(iterations):
            cache.clear()
            began = time.perf_counter()
            client.get(url)
            cold_ms.append((time.perf_counter() - began) * 1000)
        result = {
            "scenario": scenario,
            "page": label,
            "queries": len(queries),
            "selects": max((q["sql"].upper().count("SELECT") for q in queries), default=0),
            "p50": _percentile(page_ms, 0.5),
            "p95": _percentile(page_ms, 0.95),
            "bare_p50": _percentile(bare_ms, 0.5),
            "bare_p95": _percentile(bare_ms, 0.95),
            "cold_p50": _percentile(cold_ms, 0.5),
            "cold_p95": _percentile(cold_ms, 0.95),
        }
        results.append(result)
        goal = ""
        if label.endswith("campaign page"):
            goal = f"; goal warm p95 < {GOAL_P95_MS} ms: {'met' if result['p95'] < GOAL_P95_MS else 'NOT MET'}"
        slowest = sorted(queries, key=lambda q: -float(q["time"]))[:3]
        print(
            f"{scenario} {label}: warm p50 {result['p50']:.1f} ms, p95 {result['p95']:.1f} ms "
            f"({result['p50'] / result['bare_p50']:.1f} x / {result['p95'] / result['bare_p95']:.1f} x the bare page's "
            f"{result['bare_p50']:.1f} / {result['bare_p95']:.1f} ms); cache empty p50 {result['cold_p50']:.1f} ms, "
            f"p95 {result['cold_p95']:.1f} ms ({result['cold_p50'] / result['bare_p50']:.1f} x / "
            f"{result['cold_p95'] / result['bare_p95']:.1f} x); {result['queries']} SQL queries, the largest with "
            f"{result['selects']} SELECTs; slowest "
            + ", ".join(f"{float(q['time']) * 1000:.0f}" for q in slowest)
            + f" ms{goal}"
        )
        if explain and label == "running: campaign page":
            _explain(queries)
    return results


def measure_selector(scenario: str, *, iterations: int, warmup: int) -> None:
    from campaigns.models import Campaign
    from campaigns.selectors import campaign_progress

    campaign = Campaign.objects.get(name_en=f"bench {scenario} running")
    for _ in range(warmup):
        campaign_progress(campaign)
    samples = []
    for _ in range(iterations):
        began = time.perf_counter()
        progress = campaign_progress(campaign)
        samples.append((time.perf_counter() - began) * 1000)
    print(
        f"{scenario} selector only (campaign_progress, day {progress.elapsed} of {len(progress.days)}, "
        f"{len(progress.units)} units): p50 {_percentile(samples, 0.5):.1f} ms, p95 {_percentile(samples, 0.95):.1f} ms"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--scale", choices=("state", "district", "both"), default="both")
    parser.add_argument("--regenerate", action="store_true", help="generate the data again even if it is there")
    parser.add_argument("--iterations", type=int, default=20, help="timed requests of each page (warm, and cold)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests of each page first")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE every query of the running page")
    args = parser.parse_args()

    shape = Shape()
    base_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/govsocial")
    url, meta = prepare_database(base_url, shape, regenerate=args.regenerate)

    # Settings as in production where they matter for speed: no DEBUG (no query log, no debug pages).
    os.environ.update(
        DJANGO_SETTINGS_MODULE="govsocial.settings",
        DJANGO_DEBUG="false",
        DJANGO_ALLOWED_HOSTS="testserver",
        DATABASE_URL=url,
    )
    os.environ.setdefault("GOVSOCIAL_CREDENTIALS_KEYS", "ZmDfcTF7_60GrrY167zsiPd67pEvs0aGOv2oasOM1Pg=")
    import django

    django.setup()
    from django.conf import settings

    assert not settings.DEBUG and settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    if meta.pop("fresh", False):
        create_campaigns(shape, meta)
        _save_meta(url, meta)
    settings.ROOT_URLCONF = _bench_urlconf()
    scenarios = SCENARIOS if args.scale == "both" else (args.scale,)
    for scenario in scenarios:
        measure(scenario, iterations=args.iterations, warmup=args.warmup, explain=args.explain)
        measure_selector(scenario, iterations=args.iterations, warmup=args.warmup)
    # A missed goal is printed, not an error: absolute times wander with the machine.
    return 0


if __name__ == "__main__":
    sys.exit(main())
