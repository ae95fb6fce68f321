"""电子监察, mounted at /staff/supervision/.

Each area keeps its own views module and its URLs here: warnings and orders
(``views``), the dashboard (``views_dashboard``), 卷宗评查 and inspections
(``views_reviews``), the evaluation and ranking (``views_evaluation``), each with
its ``urls_<area>`` module."""

from django.urls import include, path

from . import views

app_name = "supervision"

urlpatterns = [
    path("warnings/", views.warnings, name="warnings"),
    path("orders/", views.orders, name="orders"),
    path("orders/issue/", views.issue, name="order_issue"),
    path("orders/<str:number>/", views.order, name="order"),
    path("orders/<str:number>/pdf/", views.order_pdf, name="order_pdf"),
    path("", include("govhall.supervision.urls_dashboard")),
    path("", include("govhall.supervision.urls_reviews")),
    path("", include("govhall.supervision.urls_evaluation")),
]
