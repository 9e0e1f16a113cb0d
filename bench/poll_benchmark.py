"""Poll 100,000 simulated accounts with a real worker; compare with a raw COPY of the same rows.

Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/govsocial REDIS_URL=redis://127.0.0.1:6379/0 \
       .venv/bin/python bench/poll_benchmark.py [--accounts 100000]

Creates the database ``govsocial_bench`` (dropped first), migrates it, generates
units and accounts, then:
1. baseline: ``COPY`` of one snapshot per account (the same values the poll
   writes) into a table shaped like ``metrics_snapshot``, with its indexes;
2. a cold poll (first poll: every X account's timeline is fetched once) and a
   warm poll an hour later (timelines only where the post count changed), each
   by a real Celery worker (solo pool, or prefork with --concurrency) fed through Redis;
and prints snapshots/s against the COPY rate, API calls against the minimum,
and the worker's peak resident memory.
"""

from __future__ import annotations

import argparse
import io
import math
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DB = "govsocial_bench"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--concurrency", type=int, default=1, help="1: a solo worker; more: a prefork pool")
    args = parser.parse_args()

    import dj_database_url
    import psycopg2

    base_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/govsocial")
    db = dj_database_url.parse(base_url)
    admin = psycopg2.connect(
        dbname="postgres",
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        host=db["HOST"] or None,
        port=db["PORT"] or None,
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
        cursor.execute(f"CREATE DATABASE {BENCH_DB}")
    bench_url = base_url.rsplit("/", 1)[0] + "/" + BENCH_DB
    os.environ.update(
        DATABASE_URL=bench_url,
        GOVSOCIAL_PLATFORM_MODE="simulated",
        GOVSOCIAL_SIMULATED_FAULTS="false",
        DJANGO_SETTINGS_MODULE="govsocial.settings",
    )
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
    os.environ.setdefault("GOVSOCIAL_CREDENTIALS_KEYS", "ZmDfcTF7_60GrrY167zsiPd67pEvs0aGOv2oasOM1Pg=")
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, check=True)

    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from departments.choices import UnitKind
    from departments.models import Account, State, Unit
    from govsocial.celery import app as celery_app
    from metrics.choices import RunStatus
    from metrics.models import PollRun
    from metrics.platforms.base import AccountRef
    from metrics.platforms.simulated import BATCH_SIZE, SimulatedClient
    from metrics.services.polling import poll_run_create, slot_for

    # --- data -----------------------------------------------------------------------
    started = time.perf_counter()
    state = State.objects.create(code="BN", name_en="Benchland", name_hi="बेंचलैंड")
    per_platform = {"x": args.accounts * 45 // 100, "facebook": args.accounts * 40 // 100}
    per_platform["youtube"] = args.accounts - sum(per_platform.values())
    n_units = max(per_platform.values())
    Unit.objects.bulk_create(
        (
            Unit(state=state, kind=UnitKind.DISTRICT, code=f"BN-U{i:06}", name_en=f"Unit {i}", name_hi="इकाई")
            for i in range(n_units)
        ),
        batch_size=5000,
    )
    unit_ids = list(Unit.objects.order_by("pk").values_list("pk", flat=True))
    for platform, count in per_platform.items():
        Account.objects.bulk_create(
            (
                Account(unit_id=unit_ids[i], platform=platform, handle=f"{platform[:2]}bench{i:06}")
                for i in range(count)
            ),
            batch_size=5000,
        )
    print(
        f"generated {args.accounts:,} accounts in {time.perf_counter() - started:.1f}s "
        f"(x {per_platform['x']:,}, facebook {per_platform['facebook']:,}, youtube {per_platform['youtube']:,})"
    )

    # --- baseline: COPY of the same rows ----------------------------------------------
    slot = slot_for(timezone.now())
    buffer = io.StringIO()
    for account_id, platform, handle in Account.objects.values_list("pk", "platform", "handle").iterator(
        chunk_size=10000
    ):
        p = SimulatedClient(platform, now=slot).profile(AccountRef(account_id=account_id, handle=handle), slot)
        values = [
            account_id,
            slot.isoformat(),
            slot.isoformat(),
            p.followers,
            p.following,
            p.posts_total,
            p.listed,
            p.likes,
            p.views,
        ]
        buffer.write("\t".join("\\N" if v is None else str(v) for v in values) + "\n")
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_copy (LIKE metrics_snapshot INCLUDING ALL)")
        buffer.seek(0)
        copy_started = time.perf_counter()
        cursor.copy_expert(
            "COPY bench_copy (account_id, slot, taken_at, followers, following, posts_total, listed, likes, views) "
            "FROM STDIN",
            buffer,
        )
        copy_seconds = time.perf_counter() - copy_started
        cursor.execute("DROP TABLE bench_copy")
    copy_rate = args.accounts / copy_seconds
    print(f"baseline COPY: {args.accounts:,} rows in {copy_seconds:.2f}s = {copy_rate:,.0f} rows/s")

    # --- the poll's write path alone, on the same rows -----------------------------------
    # What a poll task does with its rows: copy_insert_new into metrics_snapshot itself (unique
    # constraint, foreign keys, indexes), 1,000 rows a transaction. A slot a year back keeps
    # these rows apart from the polls below.
    from django.db import transaction

    from metrics.models import Snapshot
    from metrics.services.bulk import copy_insert_new

    past = slot - timedelta(days=365)
    rows = []
    for line in buffer.getvalue().splitlines():
        fields = line.split("\t")
        rows.append([int(fields[0]), past, past, *(None if v == "\\N" else int(v) for v in fields[3:]), None])
    columns = [
        "account",
        "slot",
        "taken_at",
        "followers",
        "following",
        "posts_total",
        "listed",
        "likes",
        "views",
        "run",
    ]
    write_started = time.perf_counter()
    for start in range(0, len(rows), 1000):
        with transaction.atomic():  # as the poll writes
            copy_insert_new(Snapshot, columns, rows[start : start + 1000], conflict=["account", "slot"])
    write_seconds = time.perf_counter() - write_started
    write_rate = args.accounts / write_seconds
    print(
        f"poll write path (copy_insert_new, 1,000 rows a transaction): {write_rate:,.0f} rows/s "
        f"= {write_rate / copy_rate:.2f} x the COPY rate"
    )
    Snapshot.objects.filter(slot=past).delete()
    # for reference: a raw COPY of the same rows into metrics_snapshot itself (its foreign keys
    # and indexes), which is what any write into the real table pays before ON CONFLICT
    direct = io.StringIO(buffer.getvalue().replace(slot.isoformat(), past.isoformat()))
    with connection.cursor() as cursor:
        direct_started = time.perf_counter()
        cursor.copy_expert(
            "COPY metrics_snapshot (account_id, slot, taken_at, followers, following, posts_total, listed, "
            "likes, views) FROM STDIN",
            direct,
        )
        direct_rate = args.accounts / (time.perf_counter() - direct_started)
    Snapshot.objects.filter(slot=past).delete()
    print(
        f"raw COPY into metrics_snapshot itself: {direct_rate:,.0f} rows/s "
        f"= {direct_rate / copy_rate:.2f} x the baseline"
    )

    # --- the polls, by a real worker ---------------------------------------------------
    queue = f"bench-{uuid.uuid4().hex[:6]}"
    celery_app.conf.task_default_queue = queue
    log = ROOT / "var" / "bench-worker.log"
    log.parent.mkdir(exist_ok=True)
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "govsocial",
            "worker",
            "-Q",
            queue,
            "--loglevel=WARNING",
            *(["--pool=solo"] if args.concurrency == 1 else ["--pool=prefork", f"--concurrency={args.concurrency}"]),
        ],
        cwd=ROOT,
        stdout=open(log, "wb"),  # noqa: SIM115 - the worker writes to it until the end
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        time.sleep(4)
        results = []
        for label, moment in (("cold", timezone.now()), ("warm, an hour later", timezone.now() + timedelta(hours=1))):
            runs = [poll_run_create(platform=platform, now=moment) for platform in per_platform]
            while PollRun.objects.filter(pk__in=[r.pk for r in runs], status=RunStatus.RUNNING).exists():
                if worker.poll() is not None:
                    raise SystemExit(f"worker died; see {log}")
                time.sleep(0.5)
            runs = list(PollRun.objects.filter(pk__in=[r.pk for r in runs]))
            seconds = max(r.finished_at for r in runs) - min(r.started_at for r in runs)
            seconds = seconds.total_seconds()
            snapshots = sum(r.snapshots_written for r in runs)
            calls = sum(r.api_calls for r in runs)
            lookups = sum(math.ceil(per_platform[p] / BATCH_SIZE[p]) for p in per_platform)
            results.append((label, seconds, snapshots, calls, lookups, runs))
        peaks = [_peak_kb(pid) for pid in [worker.pid, *_children(worker.pid)]]
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)

    print()
    for label, seconds, snapshots, calls, lookups, runs in results:
        rate = snapshots / seconds
        timelines = sum(r.api_calls for r in runs) - lookups
        print(
            f"poll ({label}): {snapshots:,} snapshots in {seconds:.1f}s = {rate:,.0f}/s "
            f"= {rate / copy_rate:.3f} x the COPY rate; posts written {sum(r.posts_written for r in runs):,}"
        )
        print(
            f"  API calls {calls:,}: lookups {lookups:,} (minimum ⌈N/batch⌉) + per-account post fetches {timelines:,}"
        )
    print(
        f"worker peak memory (VmHWM): {max(peaks) / 1024:.0f} MB per process, {sum(peaks) / 1024:.0f} MB "
        f"for the {len(peaks)} process(es) of the worker (concurrency {args.concurrency})"
    )
    admin.close()
    return 0


def _peak_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM"))


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as handle:
            return [int(child) for child in handle.read().split()]
    except OSError:
        return []


if __name__ == "__main__":
    sys.exit(main())
