"""Writes of the leaderboards: new score weights, added as a row, never an edit."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from leaderboards.models import ScoreWeights
from users.models import User


@transaction.atomic
def weights_set(
    *,
    user: User,
    growth_pct: int,
    posts: int,
    reposts: int,
    replies: int,
    long_lives: int,
    engagement: int,
    note: str = "",
) -> ScoreWeights:
    """Put new score weights in force by adding a row; the rows before it stay as the history."""
    if not user.is_admin_role:
        raise PermissionDenied(_("Only admins set the score weights."))
    weights = ScoreWeights(
        growth_pct=growth_pct,
        posts=posts,
        reposts=reposts,
        replies=replies,
        long_lives=long_lives,
        engagement=engagement,
        note=note.strip(),
        created_by=user,
    )
    weights.full_clean()  # the note's length and the check constraint: not all weights zero
    weights.save()
    return weights
