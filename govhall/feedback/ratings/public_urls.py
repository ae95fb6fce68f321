"""Public (citizen) pages of ratings, mounted at /feedback/ratings/."""

from django.urls import path

from . import public_views

app_name = "ratings_public"

urlpatterns = [
    path("rate/", public_views.rate, name="rate"),
    path("t/<str:token>/", public_views.token, name="token"),
]
