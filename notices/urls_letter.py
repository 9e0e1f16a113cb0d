"""The letter's two views; included into the ``notices`` namespace by ``notices.urls`` (no app_name here)."""

from django.urls import path

from notices.views_letter import letter_page, letter_pdf_view

urlpatterns = [
    path("<int:pk>/letter/", letter_page, name="letter"),
    path("<int:pk>/letter.pdf", letter_pdf_view, name="letter_pdf"),
]
