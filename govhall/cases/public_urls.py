"""Public case pages (mounted under /cases/): online application and progress query."""

from django.urls import path  # noqa: F401

app_name = "cases_public"

urlpatterns: list = []
