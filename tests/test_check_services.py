"""make test says exactly what to start when PostgreSQL or Redis is not reachable."""

import os
import subprocess
import sys
from pathlib import Path

from tests.integration.helpers import clean_env, free_port

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "check_services.py"


def run(database_url: str, redis_url: str) -> subprocess.CompletedProcess:
    env = clean_env(DATABASE_URL=database_url, REDIS_URL=redis_url)
    return subprocess.run([sys.executable, str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60)


def test_reachable_services_pass(settings):
    result = run(os.environ["DATABASE_URL"], settings.REDIS_URL)
    assert result.returncode == 0, result.stderr


def test_unreachable_services_are_named_with_the_command_to_start_them():
    port = free_port()  # nothing listens there
    result = run(f"postgres://postgres@127.0.0.1:{port}/govsocial", f"redis://127.0.0.1:{port}/0")
    assert result.returncode == 2
    assert f"PostgreSQL is not reachable at 127.0.0.1:{port}" in result.stderr
    assert "pg_ctlcluster --skip-systemctl-redirect" in result.stderr
    assert f"Redis is not reachable at redis://127.0.0.1:{port}/0" in result.stderr
    assert "redis-server --daemonize yes" in result.stderr


def test_sqlite_is_refused_for_the_tests():
    result = run("sqlite:////tmp/x.sqlite3", "redis://127.0.0.1:1/0")
    assert "DATABASE_URL must be a PostgreSQL URL" in result.stderr
