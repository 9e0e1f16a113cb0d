from django.urls import path

from departments import views

app_name = "departments"

urlpatterns = [
    path("directory/", views.directory, name="directory"),
    path("units/<str:code>/", views.unit_page, name="unit_detail"),
    path("accounts/<int:pk>/", views.account_page, name="account_detail"),
    path("import/", views.import_page, name="import"),
    path("import/template/<str:layout>.csv", views.import_template, name="import_template"),
]
