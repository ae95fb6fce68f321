"""Public case pages (mounted under /cases/): online application and progress query."""

from django.urls import path

from . import public_views

app_name = "cases_public"

urlpatterns = [
    path("progress/", public_views.progress, name="progress"),
    path("apply/<int:item_id>/", public_views.apply, name="apply"),
    path("apply/done/<str:number>/", public_views.applied, name="applied"),
    path("apply/bundle/<slug:code>/", public_views.apply_bundle, name="apply_bundle"),
]
