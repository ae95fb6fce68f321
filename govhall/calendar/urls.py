"""Staff pages of this app (mounted under /staff/calendar/)."""

from django.urls import path  # noqa: F401

app_name = "calendar"

urlpatterns: list = []
