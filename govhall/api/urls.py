"""/api/ — OpenAPI schema and docs; /api/v1/ gathers each app's ``api.py`` routes."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    path("v1/", include("govhall.org.api")),
    path("v1/", include("govhall.catalog.api")),
    path("v1/", include("govhall.calendar.api")),
    path("v1/", include("govhall.cases.api")),
]
