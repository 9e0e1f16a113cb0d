from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from core.csvexport import csv_download
from departments.choices import AccountStatus
from departments.selectors import accounts_for
from metrics.selectors import active_pauses, attention_accounts, health_by_state, recent_runs


def health(request: HttpRequest) -> HttpResponse:
    """Account health: is polling working, and which accounts need someone to act."""
    accounts = accounts_for(request.user)
    status = request.GET.get("status", "")
    if status not in AccountStatus.values:
        status = ""
    attention = attention_accounts(accounts, status=status)
    if request.GET.get("format") == "csv":
        return _attention_csv(attention)
    page = Paginator(attention, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "metrics/health.html",
        {
            "states": health_by_state(accounts),
            "runs": recent_runs() if not request.user.is_district_official else [],
            "pauses": active_pauses(),
            "page": page,
            "status": status,
            "statuses": AccountStatus.choices,
        },
    )


def _attention_csv(accounts) -> HttpResponse:
    response, writer = csv_download("govsocial-account-health.csv")
    writer.writerow(["state", "unit", "platform", "handle", "status", "last_success", "last_error_kind", "last_error"])
    for account in accounts.iterator(chunk_size=2000):
        state = getattr(account, "poll_state", None)
        writer.writerow(
            [
                account.unit.state.code,
                account.unit.code,
                account.platform,
                account.handle,
                account.status,
                timezone.localtime(state.last_success_at).isoformat() if state and state.last_success_at else "",
                state.last_error_kind if state else "",
                state.last_error if state else "",
            ]
        )
    return response
