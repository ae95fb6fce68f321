"""Staff pages of the hall, mounted at /staff/hall/."""

from django.urls import path

from . import views

app_name = "hall"

urlpatterns = [
    path("window/", views.window, name="window"),
    path("window/act/", views.window_act, name="window_act"),
    path("floor/", views.floor, name="floor"),
    path("floor/act/", views.floor_act, name="floor_act"),
    path("settings/", views.settings_page, name="settings"),
    path("appointments/", views.appointments, name="appointments"),
    path("statistics/", views.statistics, name="statistics"),
    path("statistics/export/", views.statistics_export, name="statistics_export"),
]
