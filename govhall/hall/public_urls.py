"""Public pages of the hall, mounted at /hall/: the ticket machine, the screens and
网上预约 of a centre (by its code)."""

from django.urls import path

from . import views_public as views

app_name = "hall_public"

urlpatterns = [
    path("kiosk/<str:code>/", views.kiosk, name="kiosk"),
    path("kiosk/<str:code>/ticket/<int:pk>/", views.ticket, name="ticket"),
    path("screens/<str:code>/", views.screen, name="screen"),
    path("screens/<str:code>/events/", views.events, name="events"),
    path("screens/<str:code>/window/<str:number>/", views.window_screen, name="window_screen"),
    path("appointments/<str:code>/", views.appointments, name="appointments"),
    path("appointments/<str:code>/booked/", views.booked, name="booked"),
    path("appointments/<str:code>/lookup/", views.lookup, name="lookup"),
]
