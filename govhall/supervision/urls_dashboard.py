"""Staff pages of 电子监察's dashboard (included by urls; names in the
supervision namespace): the dashboard and the cases behind each of its numbers."""

from django.urls import path

from . import views_dashboard

urlpatterns = [
    path("dashboard/", views_dashboard.dashboard_page, name="dashboard"),
    path("dashboard/cases/", views_dashboard.drill_page, name="dashboard_cases"),
]
