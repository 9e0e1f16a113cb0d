"""All HTTP to X, Facebook and YouTube goes through this package.

``get_client(platform)`` returns the client for the configured mode:
``GOVSOCIAL_PLATFORM_MODE=simulated`` (the default: a deterministic built-in
platform, no network) or ``live`` (tweepy, facebook-sdk, google-api-python-client
over ``metrics.platforms.http`` sessions with timeouts).
"""

from __future__ import annotations

from django.conf import settings

from metrics.platforms.base import PlatformClient


def get_client(platform: str) -> PlatformClient:
    if settings.GOVSOCIAL_PLATFORM_MODE == "simulated":
        from metrics.platforms.simulated import SimulatedClient

        return SimulatedClient(platform)
    if platform == "x":
        from metrics.platforms.x import XClient

        return XClient.from_settings()
    if platform == "facebook":
        from metrics.platforms.facebook import FacebookClient

        return FacebookClient.from_settings()
    if platform == "youtube":
        from metrics.platforms.youtube import YouTubeClient

        return YouTubeClient.from_settings()
    raise ValueError(f"unknown platform {platform!r}")
