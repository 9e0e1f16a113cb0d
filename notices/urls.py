from django.urls import include, path

from notices import views

app_name = "notices"

urlpatterns = [
    path("", views.register, name="register"),
    path("new/", views.issue, name="issue"),
    path("from-flags/", views.issue_from_flags, name="issue_from_flags"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/reply/", views.reply, name="reply"),
    path("<int:pk>/decide/", views.decide, name="decide"),
    path("<int:pk>/attachments/<int:attachment>/", views.attachment, name="attachment"),
    path("", include("notices.urls_letter")),  # the letter as a printable page and as PDF
]
