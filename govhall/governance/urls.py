"""Staff pages, mounted at /staff/governance/."""

from django.urls import path

from . import views

app_name = "governance"

urlpatterns = [
    path("", views.request_list, name="list"),
    path("new/", views.request_new, name="new"),
    path("stopped/", views.stopped, name="stopped"),
    path("<str:number>/edit/", views.request_edit, name="edit"),
    path("<str:number>/", views.detail, name="detail"),
]
