"""Which publisher posts for an account, and the request it is given.

The real publishers (X through tweepy, Facebook through facebook-sdk) live in ``content.platforms``;
in the embedded default (``GOVSOCIAL_PLATFORM_MODE=simulated``) a simulated publisher stands in, so
the demo publishes without the internet.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.utils import timezone

from content.models import PublishTarget
from content.platforms import (  # noqa: F401 - re-exported for the services
    ImageData,
    Published,
    PublishFailed,
    PublishOutcomeUnknown,
    PublishRequest,
    PublishTokenExpired,
    RecentPost,
)
from departments.choices import Platform
from departments.models import Account


class SimulatedPublisher:
    """Publishes to the simulated platform: a row per post received, and an id like a real one.

    ``GOVSOCIAL_SIMULATED_PUBLISH_DELAY`` (seconds) holds the answer back after the post is received,
    as a slow platform would: the fault test kills the worker in that window.
    """

    def __init__(self, account: Account):
        self.account = account

    def publish(self, request: PublishRequest) -> Published:
        import time
        import uuid

        from content.models import SimulatedPost

        post_id = str(uuid.uuid4().int % 10**19)
        now = timezone.now()
        SimulatedPost.objects.create(account=self.account, post_id=post_id, text=request.text, created_at=now)
        if settings.GOVSOCIAL_SIMULATED_PUBLISH_DELAY:
            time.sleep(settings.GOVSOCIAL_SIMULATED_PUBLISH_DELAY)
        return Published(
            post_id=post_id, url=f"https://example.invalid/{self.account.handle}/{post_id}", created_at=now
        )

    def recent_posts(self, since: datetime) -> list[RecentPost]:
        from content.models import SimulatedPost

        return [
            RecentPost(post_id=post.post_id, text=post.text, created_at=post.created_at, url="")
            for post in SimulatedPost.objects.filter(account=self.account, created_at__gte=since)
        ]


def publisher_for(account: Account):
    """The publisher for an account, with its own credentials; raises ValueError if they are missing."""
    if settings.GOVSOCIAL_PLATFORM_MODE == "simulated":
        return SimulatedPublisher(account)
    from content.platforms import FacebookPublisher, XPublisher

    credentials = account.credentials or {}
    if account.platform == Platform.X:
        if not credentials.get("access_token") or not credentials.get("access_token_secret"):
            raise ValueError(f"no user access token stored for {account}")
        return XPublisher(credentials, handle=account.handle, user_id=account.platform_id)
    if account.platform == Platform.FACEBOOK:
        token = credentials.get("page_access_token") or credentials.get("access_token")
        if not token or not account.platform_id:
            raise ValueError(f"no page token or page id stored for {account}")
        return FacebookPublisher(account.platform_id, token)
    raise ValueError(f"govsocial does not publish to {account.get_platform_display()}")


def publish_request(target: PublishTarget) -> PublishRequest:
    images = []
    for image in target.submission.images.all():
        with image.file.open("rb") as handle:
            images.append(ImageData(data=handle.read(), content_type=image.content_type, name=image.name))
    return PublishRequest(text=target.text, images=images)
