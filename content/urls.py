from django.urls import path

from content import views

app_name = "content"

urlpatterns = [
    path("", views.submissions, name="list"),
    path("queue/", views.queue, name="queue"),
    path("new/", views.new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/send/", views.send, name="send"),
    path("<int:pk>/review/", views.review, name="review"),
    path("targets/<int:pk>/resolve/", views.resolve, name="resolve"),
    path("images/<int:pk>/", views.image, name="image"),
]
