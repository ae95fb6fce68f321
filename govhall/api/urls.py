"""/api/ — OpenAPI schema and docs; /api/v1/ gathers each app's ``api.py`` routes.

The last route answers any other /api/…/ path with a JSON 404, so that every API
error has the same shape (paths without the final slash are redirected to it first
by ``APPEND_SLASH``).
"""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView

from . import errors, views

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", views.SwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", views.RedocView.as_view(url_name="api:schema"), name="redoc"),
    path("v1/", include("govhall.org.api")),
    path("v1/", include("govhall.org.task_api")),
    path("v1/", include("govhall.finder.api")),  # before items/<code>/
    path("v1/", include("govhall.catalog.api")),
    path("v1/", include("govhall.calendar.api")),
    path("v1/", include("govhall.cases.api")),
    path("v1/", include("govhall.cases.api_fees")),
    path("v1/", include("govhall.notifications.api")),
    path("v1/", include("govhall.supervision.api")),
    path("v1/", include("govhall.supervision.api_dashboard")),
    path("v1/", include("govhall.supervision.api_reviews")),
    path("v1/", include("govhall.supervision.api_evaluation")),
    path("v1/", include("govhall.feedback.ratings.api")),
    path("v1/", include("govhall.feedback.complaints.api")),
    path("v1/", include("govhall.filings.api")),
    path("v1/", include("govhall.lists.api")),
    path("v1/", include("govhall.governance.api")),
    path("v1/", include("govhall.licences.api")),
    path("v1/", include("govhall.hall.api")),
    path("v1/", include("govhall.staff.api")),
    re_path(r"^(?:.*/)?$", errors.not_found, name="not_found"),
]
