"""Settings come from the environment; bad values fail loudly; production passes check --deploy."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from govsocial.env import env_bool, env_choice, env_int, env_int_list, env_list

ROOT = Path(__file__).resolve().parent.parent


def test_typed_readers(monkeypatch):
    monkeypatch.setenv("GS_FLAG", "yes")
    monkeypatch.setenv("GS_NUM", "42")
    monkeypatch.setenv("GS_LIST", "a.example, b.example ,")
    assert env_bool("GS_FLAG", False) is True
    assert env_int("GS_NUM", 1) == 42
    assert env_list("GS_LIST") == ["a.example", "b.example"]
    assert env_bool("GS_UNSET", True) is True
    monkeypatch.setenv("GS_DAYS", "7, 3,1")
    assert env_int_list("GS_DAYS", [2], minimum=1) == [7, 3, 1]
    assert env_int_list("GS_UNSET", [3, 1]) == [3, 1]


@pytest.mark.parametrize(
    ("reader", "value", "message"),
    [
        (lambda: env_bool("GS_BAD", False), "maybe", "GS_BAD='maybe' is not a boolean"),
        (lambda: env_int("GS_BAD", 1), "ten", "GS_BAD='ten' is not a whole number"),
        (lambda: env_int("GS_BAD", 1, minimum=5), "3", "GS_BAD=3 is below the minimum of 5"),
        (lambda: env_choice("GS_BAD", ("a", "b"), "a"), "c", "GS_BAD='c' is not one of"),
        (lambda: env_int_list("GS_BAD"), "3,x", "GS_BAD: 'x' is not a whole number"),
        (lambda: env_int_list("GS_BAD", minimum=1), "3,0", "GS_BAD: 0 is below the minimum of 1"),
    ],
)
def test_bad_values_name_the_variable(monkeypatch, reader, value, message):
    monkeypatch.setenv("GS_BAD", value)
    with pytest.raises(ImproperlyConfigured, match=message):
        reader()


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GOVSOCIAL_", "DATABASE_", "REDIS_"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120
    )


PRODUCTION = {
    "GOVSOCIAL_ENV": "production",
    "DJANGO_SECRET_KEY": "q7Kc2v9LmZ4xT1rB8nW3yP6sD0fH5jG-uA_eR2tY9iO4pL7kJ1hG3fD5sA8qW0zX",
    "DJANGO_ALLOWED_HOSTS": "govsocial.bihar.gov.in",
    "GOVSOCIAL_CREDENTIALS_KEYS": "ZmDfcTF7_60GrrY167zsiPd67pEvs0aGOv2oasOM1Pg=",
}


def test_production_mode_passes_check_deploy(tmp_path):
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING", env={**PRODUCTION, "GOVSOCIAL_VAR_DIR": str(tmp_path)}
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("DJANGO_SECRET_KEY", "Set the environment variable DJANGO_SECRET_KEY"),
        ("DJANGO_ALLOWED_HOSTS", "Set DJANGO_ALLOWED_HOSTS"),
        ("GOVSOCIAL_CREDENTIALS_KEYS", "Set GOVSOCIAL_CREDENTIALS_KEYS"),
    ],
)
def test_production_refuses_to_start_without_its_secrets(tmp_path, missing, message):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = _manage("check", env={**env, "GOVSOCIAL_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert message in result.stderr


def test_embedded_default_uses_sqlite_and_filesystem_broker(tmp_path):
    code = (
        "from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL, s.CACHES['default']['BACKEND'])"
    )
    result = _manage("shell", "--no-imports", "-c", code, env={"GOVSOCIAL_VAR_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "filesystem://",
        "django.core.cache.backends.locmem.LocMemCache",
    ]


def test_mail_is_written_to_files_unless_an_smtp_host_is_set(tmp_path):
    code = (
        "from django.conf import settings as s; "
        "print(s.EMAIL_BACKEND, getattr(s, 'EMAIL_FILE_PATH', '-'), getattr(s, 'EMAIL_PORT', '-'), "
        "getattr(s, 'EMAIL_USE_TLS', '-'), s.GOVSOCIAL_BASE_URL, s.NOTICE_REMINDER_DAYS)"
    )
    embedded = _manage("shell", "--no-imports", "-c", code, env={"GOVSOCIAL_VAR_DIR": str(tmp_path)})
    assert embedded.returncode == 0, embedded.stderr
    assert embedded.stdout.split() == [
        "django.core.mail.backends.filebased.EmailBackend",
        str(tmp_path / "mail"),
        "25",  # Django's defaults, unused by the file backend
        "False",
        "http://127.0.0.1:8000",
        "[3,",
        "1]",
    ]
    env = {
        **PRODUCTION,
        "GOVSOCIAL_VAR_DIR": str(tmp_path),
        "EMAIL_HOST": "smtp.bihar.example",
        "EMAIL_PORT": "2525",
        "EMAIL_USE_TLS": "no",
        "NOTICE_REMINDER_DAYS": "1,7,3",
    }
    smtp = _manage("shell", "--no-imports", "-c", code, env=env)
    assert smtp.returncode == 0, smtp.stderr
    assert smtp.stdout.split() == [
        "django.core.mail.backends.smtp.EmailBackend",
        "-",
        "2525",
        "False",
        "https://govsocial.bihar.gov.in",
        "[7,",
        "3,",
        "1]",
    ]


def test_urls_select_postgres_and_redis(tmp_path):
    code = "from django.conf import settings as s; print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL)"
    env = {
        "GOVSOCIAL_VAR_DIR": str(tmp_path),
        "DATABASE_URL": "postgres://u@127.0.0.1:5432/x",
        "REDIS_URL": "redis://127.0.0.1:6379/3",
    }
    result = _manage("shell", "--no-imports", "-c", code, env=env)
    assert result.stdout.split() == ["django.db.backends.postgresql", "redis://127.0.0.1:6379/3"]


def test_production_collectstatic_builds_the_manifest(tmp_path):
    env = {**PRODUCTION, "GOVSOCIAL_VAR_DIR": str(tmp_path), "GOVSOCIAL_STATIC_ROOT": str(tmp_path / "static")}
    result = _manage("collectstatic", "--noinput", "-v", "0", env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    manifest = (tmp_path / "static" / "staticfiles.json").read_text()
    assert "vendor/bootstrap/bootstrap.min.css" in manifest
    assert "vendor/bootstrap-icons/fonts/bootstrap-icons.woff2" in manifest
