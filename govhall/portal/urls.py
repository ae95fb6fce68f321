from django.urls import path

from . import views, views_statistics

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("items/", views.item_list, name="item_list"),
    path("items/<str:code>/", views.item_detail, name="item_detail"),
    path("items/<str:code>/v/<int:number>/", views.item_detail, name="item_version"),
    path("lists/negative/", views.negative_list, name="negative_list"),
    path("bundles/", views.bundle_list, name="bundle_list"),
    path("bundles/<slug:code>/", views.bundle_detail, name="bundle_detail"),
    path("files/<str:key>/", views.catalog_file, name="catalog_file"),
    path("statistics/", views_statistics.statistics, name="statistics"),
]
