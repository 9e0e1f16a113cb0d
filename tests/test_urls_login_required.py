"""Every URL needs a login, except an explicit allow-list."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# (namespace:name) of views anyone may open.
ALLOWED_ANONYMOUS = {
    "login",
    "set_language",
    "healthz",
    "admin:login",
}


def _walk(patterns, namespace=""):
    """Yield (qualified name or None, URLPattern) for every pattern in the URL conf."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, ns)
        elif isinstance(entry, URLPattern):
            yield (f"{namespace}{entry.name}" if entry.name else None), entry


def test_only_the_allow_list_is_open_to_anonymous_users():
    open_views = set()
    for name, pattern in _walk(get_resolver().url_patterns):
        if getattr(pattern.callback, "login_required", True) is False:
            open_views.add(name)
    assert open_views == ALLOWED_ANONYMOUS


def test_every_view_has_a_name_or_is_admin_internal():
    unnamed = [p.callback for name, p in _walk(get_resolver().url_patterns) if name is None]
    # Django's admin registers a few unnamed catch-all patterns; ours must all be named.
    assert all(cb.__module__.startswith("django.") for cb in unnamed)


SAMPLE_KWARGS = {"code": "BR-PATNA", "pk": 1, "layout": "units", "attachment": 1}


def _our_urls():
    for name, pattern in _walk(get_resolver().url_patterns):
        if name and not name.startswith("admin:") and name not in ALLOWED_ANONYMOUS:
            kwargs = {key: SAMPLE_KWARGS[key] for key in pattern.pattern.converters}
            yield name, reverse(name, kwargs=kwargs)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "url"), list(_our_urls()))
def test_anonymous_request_is_sent_to_login(client, name, url):
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("login") + "?next="), name


@pytest.mark.django_db
def test_admin_pages_send_anonymous_users_to_a_login(client):
    response = client.get(reverse("admin:departments_unit_changelist"))
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.django_db
def test_login_page_and_health_check_are_open(client):
    assert client.get(reverse("login")).status_code == 200
    assert client.get(reverse("healthz")).json() == {"status": "ok"}


def test_static_files_are_served_without_login(client, settings):
    # runserver and whitenoise serve /static/ before any view or middleware that asks for a login.
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import RequestFactory

    handler = StaticFilesHandler(WSGIHandler())
    request = RequestFactory().get("/static/vendor/bootstrap/bootstrap.min.css")
    response = handler.get_response(request)
    assert response.status_code == 200
