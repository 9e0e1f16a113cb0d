from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language

from core import views as core_views

admin.site.site_header = _("govsocial administration")
admin.site.site_title = "govsocial"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The language switch is on the login page too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("healthz", core_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include("departments.urls")),
    path("", include("metrics.urls")),
    path("leaderboards/", include("leaderboards.urls")),
    path("compliance/", include("compliance.urls")),
    path("plans/", include("plans.urls")),
    path("notices/", include("notices.urls")),
    path("content/", include("content.urls")),
    path("campaigns/", include("campaigns.urls")),
    path("staff/", include("staff.urls")),
]
