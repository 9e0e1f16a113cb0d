"""The HTTP session every live platform client uses: a timeout on every request, a request count."""

from __future__ import annotations

import requests
from django.conf import settings


class PlatformSession(requests.Session):
    """A ``requests.Session`` that always sets a timeout and counts requests.

    ``last_response`` keeps the latest response, so a client can read headers
    that its library drops (Graph API's ``X-App-Usage``, X's rate-limit headers).
    """

    def __init__(self, timeout: float | None = None):
        super().__init__()
        self.timeout = timeout if timeout is not None else settings.GOVSOCIAL_HTTP_TIMEOUT
        self.request_count = 0
        self.last_response: requests.Response | None = None
        self.headers["User-Agent"] = "govsocial (+https://github.com/govsocial)"

    def request(self, method, url, *args, **kwargs):
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        self.request_count += 1
        response = super().request(method, url, *args, **kwargs)
        self.last_response = response
        return response
