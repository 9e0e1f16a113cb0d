"""The two X requests the follow checks need, live (tweepy over ``metrics.platforms``) or simulated.

- ``users_by_usernames``: ``GET /2/users/by?usernames=…`` (up to 100 a request); unknown and
  suspended usernames come back in ``errors`` inside a 200.
- ``following_page``: one page of ``GET /2/users/:id/following`` (up to 1,000 accounts); a
  protected account's list is refused with an authorization error.

Each call is one HTTP request, so the caller can charge the budget before each one. Errors are
those of ``metrics.platforms.base``: ``RateLimited`` (with ``resume_at``), ``Forbidden``
(protected), ``NotFound``, ``Suspended``, and ``PlatformError`` for the rest.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from django.conf import settings

from metrics.platforms.base import AccountError, AccountRef, Forbidden, NotFound, Suspended
from metrics.platforms.simulated import persona, unit_draw
from metrics.platforms.x import XClient, errors_by_resource, lookup_error

FOLLOWING_PAGE_SIZE = 1000  # the most X returns in one page of a following list
USERS_BATCH = 100  # the most usernames one users lookup takes


@dataclass(frozen=True)
class XUser:
    user_id: str
    username: str
    protected: bool = False


@dataclass
class UsersLookup:
    users: dict[str, XUser] = field(default_factory=dict)  # lower-case username -> user
    errors: dict[str, AccountError] = field(default_factory=dict)  # lower-case username -> error


@dataclass(frozen=True)
class FollowingPage:
    ids: list[str]
    next_token: str = ""


class FollowClient(Protocol):
    last_status: int | None  # the HTTP status of the latest request, for the ledger

    def users_by_usernames(self, usernames: Sequence[str]) -> UsersLookup: ...

    def following_page(self, user_id: str, pagination_token: str = "", *, looking_for: str = "") -> FollowingPage:
        """One page of the accounts ``user_id`` follows.

        ``looking_for`` is the id the caller hopes to find: X has no such filter and the live client
        ignores it; the simulated platform, which cannot list everyone, uses it to decide whether its
        synthetic list holds that account.
        """


class XFollowClient(XClient):
    """The live client: the app's bearer token, tweepy's ``Client``, the shared error mapping."""

    @property
    def last_status(self) -> int | None:
        response = self.session.last_response
        return response.status_code if response is not None else None

    def users_by_usernames(self, usernames: Sequence[str]) -> UsersLookup:
        response = self._call(self._app.get_users, usernames=list(usernames), user_fields=["username", "protected"])
        result = UsersLookup()
        for user in response.data or []:
            result.users[user.username.lower()] = XUser(str(user.id), user.username, bool(user.protected))
        errors = errors_by_resource(response.errors)
        for username in usernames:
            key = username.lower()
            if key not in result.users:
                result.errors[key] = lookup_error(errors.get(key), AccountRef(account_id=0, handle=username))
        return result

    def following_page(self, user_id: str, pagination_token: str = "", *, looking_for: str = "") -> FollowingPage:
        ref = AccountRef(account_id=0, handle=user_id, platform_id=user_id)
        params: dict = {"max_results": FOLLOWING_PAGE_SIZE}
        if pagination_token:
            params["pagination_token"] = pagination_token
        response = self._call(self._app.get_users_following, user_id, account=ref, **params)
        if not response.data and response.errors:
            # A protected account (or one gone since) answers 200 with errors only.
            raise lookup_error(response.errors[0], ref)
        return FollowingPage(
            ids=[str(user.id) for user in response.data or []], next_token=str(response.meta.get("next_token") or "")
        )


class SimulatedFollowClient:
    """Deterministic per account: who exists, who is protected, how long a following list is, what it holds."""

    FOLLOW_SHARE = 0.7
    PROTECTED_SHARE = 0.05

    def __init__(self) -> None:
        self.api_calls = 0
        self.last_status: int | None = None

    def _call(self) -> None:
        self.api_calls += 1
        self.last_status = 200

    def users_by_usernames(self, usernames: Sequence[str]) -> UsersLookup:
        self._call()
        result = UsersLookup()
        for username in usernames:
            p = persona("x", username)
            if p.fault == "not_found":
                result.errors[username.lower()] = NotFound(f"Could not find user with usernames: [{username}].")
            elif p.fault == "suspended":
                result.errors[username.lower()] = Suspended(f"User has been suspended: [{username}].")
            else:
                user_id = str(p.numeric_id)
                result.users[username.lower()] = XUser(user_id, username, self._protected(user_id))
        return result

    def _protected(self, user_id: str) -> bool:
        return unit_draw("x-protected", user_id) < self.PROTECTED_SHARE

    def following_page(self, user_id: str, pagination_token: str = "", *, looking_for: str = "") -> FollowingPage:
        self._call()
        if self._protected(user_id):
            raise Forbidden(f"Sorry, you are not authorized to see the user with id: [{user_id}].")
        total = 30 + int(2400 * unit_draw("x-following", user_id) ** 2)
        pages = math.ceil(total / FOLLOWING_PAGE_SIZE)
        page = int(pagination_token) if pagination_token.isdigit() else 0
        size = min(FOLLOWING_PAGE_SIZE, total - page * FOLLOWING_PAGE_SIZE)
        ids = [str(10**17 + int(unit_draw("x-followed", user_id, page, n) * 10**17)) for n in range(size)]
        follows = bool(looking_for) and unit_draw("x-follows", user_id, looking_for) < self.FOLLOW_SHARE
        if follows and int(unit_draw("x-follows-page", user_id, looking_for) * pages) == page:
            ids[len(ids) // 2] = looking_for
        return FollowingPage(ids=ids, next_token=str(page + 1) if page + 1 < pages else "")


def follow_client() -> FollowClient:
    """The simulated platform in the embedded default, X itself in live mode (as ``metrics.platforms``)."""
    if settings.GOVSOCIAL_PLATFORM_MODE == "simulated":
        return SimulatedFollowClient()
    return XFollowClient.from_settings()
