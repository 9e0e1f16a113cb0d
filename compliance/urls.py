from django.urls import path

from compliance import views

app_name = "compliance"

urlpatterns = [
    path("monthly-lives/", views.monthly_lives, name="monthly_lives"),
    path("rules/", views.rule_list, name="rule_list"),
    path("rules/new/", views.rule_edit, name="rule_new"),
    path("rules/<int:pk>/", views.rule_detail, name="rule_detail"),
    path("rules/<int:pk>/edit/", views.rule_edit, name="rule_edit"),
    path("rules/<int:pk>/report/", views.rule_report, name="rule_report"),
    path("rules/<int:pk>/judge-month/", views.monthly_lives_evaluate, name="monthly_lives_evaluate"),
    path("mandates/", views.mandate_index, name="mandates"),
    path("mandates/new/", views.mandate_new, name="mandate_new"),
    path("mandates/<int:pk>/", views.mandate_detail, name="mandate_detail"),
    path("mandates/<int:pk>/judge/", views.mandate_judge, name="mandate_judge"),
    path("flags/", views.flag_index, name="flag_list"),
    path("flags/<int:pk>/", views.flag_detail, name="flag_detail"),
]
