"""Score weights: a history everyone reads; admins add a row (never an edit); all zero is refused."""

import pytest
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory
from django.urls import reverse

from leaderboards.models import ScoreWeights
from leaderboards.services import weights_set

URL = reverse("leaderboards:weights")
NEW = {
    "growth_pct": 5,
    "posts": 1,
    "reposts": 0,
    "replies": 0,
    "long_lives": 4,
    "engagement": 2,
    "note": "Lives count for more this year",
}


def test_everyone_reads_the_history_only_admins_get_the_form(world, login):
    ScoreWeights.objects.create(posts=9, note="more posts", created_by=world.admin)
    content = login(world.dpro_patna).get(URL).content.decode()
    assert 'data-testid="weights-history"' in content and "more posts" in content
    assert 'id="weights-form"' not in content
    assert 'id="weights-form"' in login(world.admin).get(URL).content.decode()


def test_an_admin_sets_new_weights_as_a_new_row(world, login):
    before = list(ScoreWeights.objects.values_list("pk", "posts"))
    response = login(world.admin).post(URL, NEW)
    assert response.status_code == 302
    newest = ScoreWeights.objects.first()
    assert newest.as_dict() == {key: value for key, value in NEW.items() if key != "note"}
    assert (newest.created_by, newest.note) == (world.admin, NEW["note"])
    # the earlier rows are untouched
    assert list(ScoreWeights.objects.exclude(pk=newest.pk).values_list("pk", "posts")) == before
    content = login(world.admin).get(URL).content.decode()
    assert f"Score weights #{newest.pk} are now in force." in content


def test_all_weights_at_zero_are_refused_with_a_form_error(world, login):
    count = ScoreWeights.objects.count()
    zero = {**NEW, "growth_pct": 0, "posts": 0, "long_lives": 0, "engagement": 0}
    response = login(world.admin).post(URL, zero)
    assert response.status_code == 200
    assert "At least one weight must be above zero." in response.content.decode()
    assert ScoreWeights.objects.count() == count


@pytest.mark.parametrize("persona", ["pr_bihar", "dpro_patna"])
def test_a_non_admin_cannot_set_weights(world, login, persona):
    count = ScoreWeights.objects.count()
    assert login(getattr(world, persona)).post(URL, NEW).status_code == 403
    assert ScoreWeights.objects.count() == count


def test_the_service_refuses_non_admins_and_all_zero(world):
    with pytest.raises(PermissionDenied):
        weights_set(user=world.pr_bihar, growth_pct=1, posts=1, reposts=1, replies=1, long_lives=1, engagement=1)
    with pytest.raises(ValidationError):
        weights_set(user=world.admin, growth_pct=0, posts=0, reposts=0, replies=0, long_lives=0, engagement=0)


def test_the_admin_shows_weights_read_only(world):
    model_admin = admin.site._registry[ScoreWeights]
    request = RequestFactory().get("/")
    request.user = world.admin
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, ScoreWeights.objects.first())
    assert not model_admin.has_delete_permission(request, ScoreWeights.objects.first())
    assert model_admin.has_view_permission(request)
