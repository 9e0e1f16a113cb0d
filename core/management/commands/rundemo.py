"""Serve govsocial with a Celery worker and beat beside it (the ``make run`` command)."""

import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from core.demo import DEMO_PASSWORD, DEMO_USERS
from core.processes import stop_process_group
from govsocial.celery import app as celery_app


class Command(BaseCommand):
    help = "Run the web server and a Celery worker with beat; print where to log in."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000")
        parser.add_argument("--no-worker", action="store_true", help="Serve pages only.")

    def handle(self, *args, addr: str, no_worker: bool, **options):
        log_dir = settings.VAR_DIR / "log"
        log_dir.mkdir(parents=True, exist_ok=True)
        worker = None
        if not no_worker:
            log = open(log_dir / "worker.log", "ab")  # noqa: SIM115 - kept open for the worker's lifetime
            worker = subprocess.Popen(
                [
                    sys.executable, "-m", "celery", "-A", "govsocial", "worker", "--beat",
                    "--loglevel=INFO", "--concurrency=2",
                    "--scheduler=django_celery_beat.schedulers:DatabaseScheduler",
                    f"--schedule={settings.VAR_DIR / 'celerybeat-schedule'}",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                # the demo polls every account every hour, so new snapshots keep arriving
                env={**os.environ, "GOVSOCIAL_POLL_ALL_HOURLY": "true"},
                start_new_session=True,  # its own process group: stopped with its pool and beat below
            )  # fmt: skip
            # and one poll right away, so the health page shows the worker at work within seconds
            celery_app.send_task("metrics.tasks.poll_scheduled", kwargs={"force_all": True})
        url = f"http://{addr}/"
        lines = [
            "",
            "=" * 66,
            f" govsocial is running:  {url}",
            f" worker and beat:       {'log in ' + str(log_dir / 'worker.log') if worker else 'not started'}",
            " Demo logins (password for all: " + DEMO_PASSWORD + "):",
        ]
        lines += [f"   {u.username:<16} {u.designation}" for u in DEMO_USERS]
        lines += [" Stop with Ctrl-C.", "=" * 66, ""]
        self.stdout.write("\n".join(lines))
        # SIGTERM (a service manager, a test) stops the worker too, as Ctrl-C does
        signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
        try:
            call_command("runserver", addr, use_reloader=False)
        except KeyboardInterrupt:
            pass
        finally:
            if worker is not None:
                stop_process_group(worker)


def _raise_keyboard_interrupt(signum, frame):
    raise KeyboardInterrupt
