"""Public (citizen) pages of the licence registry, mounted at /licences/."""

from django.urls import path

from . import public_views

app_name = "licences_public"

urlpatterns = [
    path("", public_views.query, name="query"),
    path("results/", public_views.results, name="results"),
    path("results/export/", public_views.results_export, name="results_export"),
]
