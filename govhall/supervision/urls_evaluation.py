"""Staff pages of 电子监察's evaluation (included by urls; names in the
supervision namespace): /staff/supervision/evaluation/…"""

from django.urls import path

from . import views_evaluation as views

urlpatterns = [
    path("evaluation/", views.evaluation_page, name="evaluation"),
    path("evaluation/ranking/", views.ranking, name="evaluation_ranking"),
    path("evaluation/mine/", views.my_department, name="evaluation_mine"),
    path("evaluation/report.xlsx", views.all_xlsx, name="evaluation_all_xlsx"),
    path(
        "evaluation/departments/<int:pk>/",
        views.department_page,
        name="evaluation_department",
    ),
    path(
        "evaluation/departments/<int:pk>/report.xlsx",
        views.department_xlsx,
        name="evaluation_department_xlsx",
    ),
    path(
        "evaluation/departments/<int:pk>/report.pdf",
        views.department_pdf,
        name="evaluation_department_pdf",
    ),
]
