"""Public (citizen) pages of complaints, mounted at /feedback/complaints/."""

from django.urls import path

from . import public_views

app_name = "complaints_public"

urlpatterns = [
    path("", public_views.submit, name="submit"),
    path("submitted/", public_views.submitted, name="submitted"),
    path("track/", public_views.track, name="track"),
]
