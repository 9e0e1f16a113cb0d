"""docker-compose.yml and the Dockerfile match the project (no Docker engine runs here)."""

import importlib
import re
import shlex
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def command(service: str) -> list[str]:
    cmd = SERVICES[service]["command"]
    return cmd if isinstance(cmd, list) else shlex.split(cmd)


def test_the_services_of_a_deployment():
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(SERVICES)


def test_web_runs_gunicorn_on_the_wsgi_application_that_exists():
    cmd = command("web")
    assert cmd[0] == "gunicorn"
    module, attribute = cmd[1].split(":")
    assert module == "govsocial.wsgi" and (ROOT / "govsocial" / "wsgi.py").exists()
    assert f"{attribute} = get_wsgi_application()" in (ROOT / "govsocial" / "wsgi.py").read_text()


def test_worker_and_beat_run_the_projects_celery_app_with_the_database_scheduler():
    from django.conf import settings

    assert command("worker")[:4] == ["celery", "-A", "govsocial", "worker"]
    beat = command("beat")
    assert beat[:4] == ["celery", "-A", "govsocial", "beat"]
    scheduler = beat[beat.index("--scheduler") + 1]
    assert scheduler == settings.CELERY_BEAT_SCHEDULER
    module, name = scheduler.split(":")
    assert hasattr(importlib.import_module(module), name)
    assert importlib.import_module("govsocial").celery_app.main == "govsocial"


def test_app_services_get_production_settings_and_every_required_secret():
    for service in ("web", "worker", "beat", "migrate"):
        env = SERVICES[service]["environment"]
        assert env["GOVSOCIAL_ENV"] == "production"
        for name in (
            "DATABASE_URL",
            "REDIS_URL",
            "DJANGO_SECRET_KEY",
            "DJANGO_ALLOWED_HOSTS",
            "GOVSOCIAL_CREDENTIALS_KEYS",
        ):
            assert name in env, (service, name)
        assert env["DATABASE_URL"].startswith("postgres://") and "@postgres:5432/" in env["DATABASE_URL"]
        assert env["REDIS_URL"].startswith("redis://redis:6379")


def test_migrate_runs_commands_that_exist():
    script = " ".join(command("migrate"))
    for name in re.findall(r"manage\.py (\w+)", script):
        assert name in {"migrate"} or (ROOT / "departments/management/commands" / f"{name}.py").exists(), name


def test_dockerfile_installs_the_pinned_requirements_and_serves_with_gunicorn():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "FROM python:3.11" in dockerfile
    assert "pip install --no-cache-dir -r requirements.txt" in dockerfile
    assert "collectstatic" in dockerfile
    requirements = (ROOT / "requirements.txt").read_text()
    for package in ("gunicorn==", "whitenoise==", "celery==", "psycopg2-binary==", "Django=="):
        assert package in requirements, package
    for line in requirements.splitlines():
        assert "==" in line, f"unpinned requirement: {line}"
