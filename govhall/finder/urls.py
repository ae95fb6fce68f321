"""Staff pages of the finder, mounted at /staff/finder/."""

from django.urls import path

from . import views

app_name = "finder"

urlpatterns = [
    path("", views.search_list, name="list"),
    path("export/", views.export, name="export"),
    path("<int:pk>/keyword/", views.add_keyword, name="add_keyword"),
]
