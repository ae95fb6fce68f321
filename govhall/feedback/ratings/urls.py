"""Staff pages, mounted at /staff/feedback/ratings/."""

from django.urls import path

from . import views

app_name = "ratings"

urlpatterns = [
    path("", views.rating_list, name="list"),
    path("statistics/", views.statistics, name="statistics"),
    path("evaluator/", views.evaluator_start, name="evaluator_start"),
    path("evaluator/<str:number>/", views.evaluator, name="evaluator"),
    path("phone/", views.phone_entry, name="phone"),
    path("bad-reviews/", views.bad_reviews, name="bad_reviews"),
    path("bad-reviews/<int:pk>/", views.bad_review, name="bad_review"),
    path("appeals/<int:pk>/", views.appeal, name="appeal"),
]
