"""Staff pages of this app (mounted under /staff/calendar/)."""

from django.urls import path

from . import views

app_name = "calendar"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:year>/", views.year_view, name="year"),
    path("<int:year>/schedule/", views.enter_schedule, name="enter_schedule"),
    path("<int:year>/template.xlsx", views.template, name="template"),
    path("day/<str:day>/", views.edit_day, name="edit_day"),
]
