"""The embedded default of `make run`: SQLite, no Redis, a worker on the filesystem broker.

Runs the same commands as `make run` (in a temporary var/ folder) and checks what a
person would: the login page is served, anonymous requests go to it, a demo user
can log in and see the directory, and the worker consumes tasks without Redis.
"""

import os
import re
import signal
import subprocess
import sys

import pytest
import requests

from tests.integration.helpers import ROOT, clean_env, free_port, manage, running, wait_for

pytestmark = pytest.mark.integration


def test_make_run_serves_login_and_worker_runs_without_redis(tmp_path):
    env = clean_env(GOVSOCIAL_VAR_DIR=str(tmp_path))
    for args in (("migrate", "--noinput"), ("load_hierarchy", "--state", "BR"), ("seed_demo", "--history-days", "3")):
        result = manage(*args, env=env)
        assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "govsocial.sqlite3").exists()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "rundemo.log"
    with running([sys.executable, "manage.py", "rundemo", "--addr", f"127.0.0.1:{port}"], env, log):
        wait_for(lambda: _get(f"{base}/login/") == 200, 60, "the web server", log)
        assert "Demo logins" in log.read_text()

        anonymous = requests.get(f"{base}/directory/", allow_redirects=False, timeout=10)
        assert anonymous.status_code == 302 and anonymous.headers["Location"] == "/login/?next=/directory/"

        session = requests.Session()
        page = session.get(f"{base}/login/", timeout=10)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        response = session.post(
            f"{base}/login/",
            data={"csrfmiddlewaretoken": token, "username": "pr.bihar", "password": "govsocial-demo"},
            headers={"Referer": f"{base}/login/"},
            timeout=10,
        )
        assert response.url == f"{base}/"
        assert "Patna" in session.get(f"{base}/directory/?kind=district", timeout=10).text

        sent = manage(
            "shell",
            "--no-imports",
            "-c",
            "from core.tasks import record_heartbeat; record_heartbeat.delay(hostname='embedded-check')",
            env=env,
        )
        assert sent.returncode == 0, sent.stderr
        check = (
            "from core.models import WorkerHeartbeat as W; print(W.objects.filter(hostname='embedded-check').exists())"
        )
        wait_for(
            lambda: manage("shell", "--no-imports", "-c", check, env=env).stdout.strip() == "True",
            90,
            "the embedded worker to run the task",
            tmp_path / "log" / "worker.log",
        )


def test_stopping_make_run_stops_its_worker_too(tmp_path):
    """SIGTERM to `rundemo` (as a service manager sends) leaves no worker, pool or beat behind."""
    env = clean_env(GOVSOCIAL_VAR_DIR=str(tmp_path))
    assert manage("migrate", "--noinput", env=env).returncode == 0
    port = free_port()
    log = tmp_path / "rundemo.log"
    process = subprocess.Popen(
        [sys.executable, "manage.py", "rundemo", "--addr", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=open(log, "wb"),  # noqa: SIM115 - closed with the process
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(lambda: _processes_mentioning(str(tmp_path)) >= 2, 60, "the worker to start", log)
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=40)
        wait_for(lambda: _processes_mentioning(str(tmp_path)) == 0, 30, "the worker to stop", log)
    finally:
        process.kill()


def _processes_mentioning(text: str) -> int:
    count = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as handle:
                    if text.encode() in handle.read():
                        count += 1
            except OSError:
                continue
    return count


def _get(url: str) -> int:
    try:
        return requests.get(url, timeout=5).status_code
    except requests.ConnectionError:
        return 0
