from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from core.selectors import worker_status
from departments.choices import AccountStatus, UnitKind
from departments.models import State
from departments.selectors import accounts_for, coverage_summary, unit_offices, units_for


def home(request: HttpRequest) -> HttpResponse:
    """The landing page: what matters to this user's role and scope."""
    user = request.user
    units = units_for(user)
    context = {
        "summary": coverage_summary(units),
        "attention": accounts_for(user).exclude(status=AccountStatus.ACTIVE).count(),
        "worker": worker_status(),
    }
    if user.is_admin_role:
        context["states"] = State.objects.annotate(
            districts=Count("units", filter=Q(units__kind=UnitKind.DISTRICT), distinct=True),
            unit_count=Count("units", distinct=True),
            account_count=Count("units__accounts", distinct=True),
        ).order_by("name_en")
    elif user.is_district_official:
        context["district"] = user.district
        context["offices"] = unit_offices(user.district)
    else:
        context["state"] = user.state
    return render(request, "core/home.html", context)


@login_not_required
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers: is the database reachable? Says nothing about the data."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return JsonResponse({"status": "ok"})
    except Exception:
        return JsonResponse({"status": "database unavailable"}, status=503)
