"""Staff pages, mounted at /staff/feedback/ratings/."""

from django.urls import path

from . import views

app_name = "ratings"

urlpatterns = [
    path("bad-reviews/<int:pk>/", views.bad_review, name="bad_review"),
    path("appeals/<int:pk>/", views.appeal, name="appeal"),
]
