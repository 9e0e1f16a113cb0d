from django.urls import path

from staff import views

app_name = "staff"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("budget/", views.budget, name="budget"),
    path("import-template/", views.import_template, name="import_template"),
    path("unit/<str:code>/", views.roster_page, name="roster"),
    path("unit/<str:code>/add/", views.member_add, name="member_add"),
    path("unit/<str:code>/import/", views.roster_import_page, name="import"),
    path("<int:pk>/edit/", views.member_edit, name="member_edit"),
    path("<int:pk>/deactivate/", views.member_deactivate_view, name="member_deactivate"),
    path("<int:pk>/declare/", views.member_declare_view, name="member_declare"),
]
