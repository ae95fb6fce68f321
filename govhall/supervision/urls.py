"""电子监察, mounted at /staff/supervision/."""

from django.urls import path

from . import views

app_name = "supervision"

urlpatterns = [
    path("warnings/", views.warnings, name="warnings"),
]
