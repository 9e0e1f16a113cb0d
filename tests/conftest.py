"""Shared test set-up: real PostgreSQL, no network, named personas.

Personas (one small hierarchy, two states):
- Bihar with districts Patna (पटना) and Gaya (गया), each with a health office and a PR office,
  and a state department; Rajasthan with Dausa (दौसा).
- ``admin``; ``pr_bihar`` (state PR officer, Bihar); ``pr_rajasthan``;
  ``dpro_patna`` and ``dpro_gaya`` (district officials of two districts of one state).
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass

import pytest
from cryptography.fernet import Fernet

from core import crypto
from departments.choices import Platform, UnitKind
from departments.models import Account, State, Unit
from users.models import User

PASSWORD = "pw-for-tests-only"
TEST_KEY = Fernet.generate_key().decode()
_LOCAL = ("127.", "::1", "localhost", "0.0.0.0")  # noqa: S104 - loopback guard, not a bind


def pytest_configure(config):
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    """Refuse every connection that leaves this machine; loopback (PostgreSQL, Redis, live server) is fine."""
    real_connect = socket.socket.connect

    def guarded(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and (host.startswith(_LOCAL) or host.startswith("/")):
            return real_connect(self, address)
        if self.family == socket.AF_UNIX:
            return real_connect(self, address)
        raise RuntimeError(f"test tried to reach the network: {address!r}")

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(autouse=True)
def _credentials_key(settings):
    settings.GOVSOCIAL_CREDENTIALS_KEYS = [TEST_KEY]
    crypto.reset_keys()
    yield
    crypto.reset_keys()


@pytest.fixture(autouse=True)
def _fast_settings(settings):
    settings.LANGUAGE_CODE = "en"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; not a security test


def pytest_collection_modifyitems(config, items):
    db = os.environ.get("DATABASE_URL", "")
    if os.environ.get("CI") and not db.startswith(("postgres", "postgresql")):
        raise pytest.UsageError("CI runs the tests on PostgreSQL: set DATABASE_URL (make test does).")


@dataclass
class World:
    bihar: State
    rajasthan: State
    patna: Unit
    gaya: Unit
    dausa: Unit
    health_dept: Unit
    patna_health: Unit
    patna_pro: Unit
    gaya_health: Unit
    dausa_pro: Unit
    patna_x: Account
    gaya_x: Account
    dausa_x: Account
    health_x: Account
    admin: User
    pr_bihar: User
    pr_rajasthan: User
    dpro_patna: User
    dpro_gaya: User


def _unit(state, code, kind, en, hi, **kw) -> Unit:
    return Unit.objects.create(state=state, code=code, kind=kind, name_en=en, name_hi=hi, **kw)


def _user(username, role, **kw) -> User:
    user = User(username=username, role=role, **kw)
    user.set_password(PASSWORD)
    user.save()
    return user


def build_world() -> World:
    bihar = State.objects.create(code="BR", name_en="Bihar", name_hi="बिहार")
    rajasthan = State.objects.create(code="RJ", name_en="Rajasthan", name_hi="राजस्थान")
    patna = _unit(bihar, "BR-PATNA", UnitKind.DISTRICT, "Patna", "पटना")
    gaya = _unit(bihar, "BR-GAYA", UnitKind.DISTRICT, "Gaya", "गया")
    dausa = _unit(rajasthan, "RJ-DAUSA", UnitKind.DISTRICT, "Dausa", "दौसा")
    health = _unit(bihar, "BR-HEALTH", UnitKind.STATE_DEPARTMENT, "Health Department", "स्वास्थ्य विभाग")
    iprd = _unit(bihar, "BR-IPRD", UnitKind.STATE_DEPARTMENT, "Information & PR Department", "सूचना एवं जन-सम्पर्क विभाग")
    rj_iprd = _unit(
        rajasthan, "RJ-IPRD", UnitKind.STATE_DEPARTMENT, "Information and PR Department", "सूचना एवं जनसंपर्क विभाग"
    )
    office = UnitKind.DISTRICT_OFFICE
    patna_health = _unit(
        bihar,
        "BR-PATNA-HEALTH",
        office,
        "Health Department, Patna",
        "स्वास्थ्य विभाग, पटना",
        district=patna,
        department=health,
    )
    patna_pro = _unit(
        bihar,
        "BR-PATNA-DPRO",
        office,
        "District Public Relations Office, Patna",
        "जिला जनसंपर्क कार्यालय, पटना",
        district=patna,
        department=iprd,
    )
    gaya_health = _unit(
        bihar,
        "BR-GAYA-HEALTH",
        office,
        "Health Department, Gaya",
        "स्वास्थ्य विभाग, गया",
        district=gaya,
        department=health,
    )
    dausa_pro = _unit(
        rajasthan,
        "RJ-DAUSA-DPRO",
        office,
        "District Public Relations Office, Dausa",
        "जिला जनसंपर्क कार्यालय, दौसा",
        district=dausa,
        department=rj_iprd,
    )
    patna_x = Account.objects.create(unit=patna, platform=Platform.X, handle="DMPatna", verified=True)
    Account.objects.create(unit=patna, platform=Platform.FACEBOOK, handle="dm.patna")
    gaya_x = Account.objects.create(unit=gaya, platform=Platform.X, handle="DMGaya")
    dausa_x = Account.objects.create(unit=dausa, platform=Platform.X, handle="DmDausa", verified=True)
    health_x = Account.objects.create(unit=health, platform=Platform.X, handle="BiharHealthDept")
    return World(
        bihar=bihar,
        rajasthan=rajasthan,
        patna=patna,
        gaya=gaya,
        dausa=dausa,
        health_dept=health,
        patna_health=patna_health,
        patna_pro=patna_pro,
        gaya_health=gaya_health,
        dausa_pro=dausa_pro,
        patna_x=patna_x,
        gaya_x=gaya_x,
        dausa_x=dausa_x,
        health_x=health_x,
        admin=_user("admin", User.Role.ADMIN, is_staff=True, is_superuser=True),
        pr_bihar=_user("pr.bihar", User.Role.STATE_OFFICER, state=bihar),
        pr_rajasthan=_user("pr.rajasthan", User.Role.STATE_OFFICER, state=rajasthan),
        dpro_patna=_user("dpro.patna", User.Role.DISTRICT_OFFICIAL, state=bihar, district=patna),
        dpro_gaya=_user("dpro.gaya", User.Role.DISTRICT_OFFICIAL, state=bihar, district=gaya),
    )


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def login(client):
    """``login(user)`` returns the test client logged in as that persona."""

    def _login(user: User):
        client.force_login(user)
        return client

    return _login


@pytest.fixture(autouse=True)
def _empty_cache(settings):
    """Each test gets an empty cache of its own: Redis is shared by parallel workers and outlives a run."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}
    from django.core.cache import cache

    cache.clear()
