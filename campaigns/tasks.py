"""Celery tasks: each calls one service and is safe to run twice."""

from __future__ import annotations

from celery import shared_task

from campaigns import services


@shared_task(name="campaigns.tasks.campaigns_advance")
def campaigns_advance() -> dict:
    """Hourly, before the poll: start the scheduled campaigns whose first day has come, close the ended ones."""
    outcome = services.campaigns_advance()
    return {"started": outcome.started, "closed": outcome.closed, "baselines_filled": outcome.baselines_filled}
