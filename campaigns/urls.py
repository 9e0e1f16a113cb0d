from django.urls import path

from campaigns import views

app_name = "campaigns"

urlpatterns = [
    path("", views.campaign_index, name="list"),
    path("new/", views.campaign_new, name="new"),
    path("<int:pk>/", views.campaign_page, name="detail"),
    path("<int:pk>/edit/", views.campaign_edit, name="edit"),
    path("<int:pk>/start/", views.campaign_start_view, name="start"),
    path("<int:pk>/close/", views.campaign_close_view, name="close"),
    path("<int:pk>/units/<str:code>/", views.campaign_unit, name="unit"),
    path("<int:pk>/report/", views.campaign_report, name="report"),
    path("<int:pk>/report.pdf", views.campaign_report_pdf, name="report_pdf"),
]
