from django.urls import path

from plans import views

app_name = "plans"

urlpatterns = [
    path("", views.plan_index, name="list"),
    path("require/", views.plan_require, name="require"),
    path("<int:pk>/", views.plan_page, name="detail"),
    path("<int:pk>/submit/", views.plan_submit_view, name="submit"),
    path("<int:pk>/decide/", views.plan_decide, name="decide"),
]
