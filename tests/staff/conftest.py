"""Staff rosters in the shared world: Dausa's district official, members, and a faked X API v2."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlparse

import pytest
import responses

from staff.models import FollowCheckBudget, StaffMember
from tests.conftest import _user
from tests.platforms import payloads as p
from users.models import User

BEARER = "AAAAAAAAAAAAAAAAAAAAAMLheAAAAAAA0%2BuSeid%2BULvsea4JtiGRiSDSJSI%3DEUifiRBkKG5E2XzMDjRfl76ZC9Ub0wnz4XsNi"
USERS_BY = f"{p.X_API}/users/by"
DAUSA_ID = "1143020912738304000"  # @DmDausa's X id
NOW = datetime(2026, 3, 2, 5, 40, tzinfo=UTC)


def following_url(user_id: str) -> str:
    return f"{p.X_API}/users/{user_id}/following"


def following(ids: list[str], *, next_token: str = "", previous_token: str = "") -> dict:
    """A ``GET /2/users/:id/following`` page: the users (default fields id, name, username) and its ``meta``."""
    meta: dict = {"result_count": len(ids)}
    if next_token:
        meta["next_token"] = next_token
    if previous_token:
        meta["previous_token"] = previous_token
    body: dict = {"meta": meta}
    if ids:
        body["data"] = [{"id": i, "name": f"Account {i}", "username": f"acct{i}"} for i in ids]
    return body


def query(call) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlparse(call.request.url).query).items()}


def users_by(known: dict[str, str], *, suspended: tuple[str, ...] = (), protected: tuple[str, ...] = ()):
    """A users/by callback: ``known`` maps usernames to ids; others are not found (in the 200's errors)."""
    lowered = {name.lower(): (name, user_id) for name, user_id in known.items()}

    def answer(request):
        asked = parse_qs(urlparse(request.url).query)["usernames"][0].split(",")
        users, errors = [], []
        for name in asked:
            if name in suspended:
                errors.append(p.x_suspended(name, "usernames"))
            elif name.lower() in lowered:
                real, user_id = lowered[name.lower()]
                users.append(p.x_user(user_id, real, protected=name in protected))
            else:
                errors.append(p.x_not_found(name, "usernames"))
        return 200, {"content-type": "application/json"}, json.dumps(p.x_users(users, errors))

    return answer


@pytest.fixture
def x_api():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def live(settings):
    settings.GOVSOCIAL_PLATFORM_MODE = "live"
    settings.X_BEARER_TOKEN = BEARER


@pytest.fixture
def dausa(world):
    world.dausa_x.platform_id = DAUSA_ID
    world.dausa_x.save(update_fields=["platform_id"])
    world.dpro_dausa = _user("dpro.dausa", User.Role.DISTRICT_OFFICIAL, state=world.rajasthan, district=world.dausa)
    return world


def budget(requests_per_week: int, *, enabled: bool = True) -> FollowCheckBudget:
    budget = FollowCheckBudget.load()
    budget.requests_per_week = requests_per_week
    budget.enabled = enabled
    budget.save()
    return budget


def member(unit, name: str, handle: str = "", **kw) -> StaffMember:
    return StaffMember.objects.create(
        unit=unit, name=name, designation=kw.pop("designation", "Clerk"), x_handle=handle, **kw
    )
