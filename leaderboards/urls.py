from django.urls import path

from leaderboards import views

app_name = "leaderboards"

urlpatterns = [
    path("", views.board, name="board"),
    path("unit/<str:code>/", views.cell, name="cell"),
    path("weights/", views.weights, name="weights"),
    path("quarterly/", views.quarterly, name="quarterly"),
]
