"""Staff pages of the catalogue, mounted at /staff/catalog/."""

from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("", views.item_list, name="list"),
    path("new/", views.item_create, name="create"),
    path("excel/export/", views.export_excel, name="export"),
    path("excel/import/", views.import_excel, name="import"),
    path("authorisations/", views.authorisation_list, name="authorisations"),
    path("authorisations/new/", views.authorisation_edit, name="authorisation_create"),
    path("authorisations/<int:pk>/", views.authorisation_detail, name="authorisation"),
    path("authorisations/<int:pk>/edit/", views.authorisation_edit, name="authorisation_edit"),
    path("items/<str:code>/", views.item_detail, name="detail"),
    path("items/<str:code>/flags/", views.item_flags, name="flags"),
    path("items/<str:code>/draft/", views.draft_edit, name="draft"),
    path("items/<str:code>/draft/start/", views.draft_start, name="draft_start"),
    path("items/<str:code>/draft/publish/", views.draft_publish, name="publish"),
    path("items/<str:code>/draft/files/", views.draft_files, name="draft_files"),
    path("items/<str:code>/v/<int:number>/", views.version_detail, name="version"),
]
