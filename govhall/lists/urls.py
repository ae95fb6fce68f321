"""Staff pages, mounted at /staff/lists/."""

from django.urls import path

from . import views

app_name = "lists"

urlpatterns = [
    path("", views.index, name="index"),
    path("publish/", views.publish, name="publish"),
    path("compare/", views.compare, name="compare"),
    path("entries/<slug:key>/", views.entries, name="entries"),
    path("entries/<slug:key>/new/", views.entry_edit, name="entry_new"),
    path("entries/<slug:key>/import/", views.entry_import, name="entry_import"),
    path("entries/<slug:key>/<int:pk>/", views.entry_edit, name="entry_edit"),
    path("entries/<slug:key>/<int:pk>/retire/", views.entry_retire, name="entry_retire"),
]
