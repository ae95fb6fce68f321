"""Staff pages of 电子监察's reviews (included by urls; names in the
supervision namespace): 卷宗评查, 现场巡查 / 窗口自查, 第三方评估 (issue 11 §3)."""

from django.urls import path

from . import views_reviews as views

urlpatterns: list = [
    path("reviews/", views.review_list, name="reviews"),
    path("reviews/draw/", views.review_draw, name="review_draw"),
    path("reviews/checklist/", views.checklist, name="review_checklist"),
    path("reviews/<int:pk>/", views.review_detail, name="review"),
    path("inspections/", views.inspection_list, name="inspections"),
    path("inspections/new/", views.inspection_new, name="inspection_new"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection"),
    path(
        "inspections/<int:pk>/photos/<int:photo>/",
        views.inspection_photo,
        name="inspection_photo",
    ),
    path("third-party/", views.third_party, name="third_party"),
]
