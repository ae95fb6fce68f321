from django.urls import path

from . import views, views_lists, views_statistics

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("items/", views.item_list, name="item_list"),
    path("items/<str:code>/", views.item_detail, name="item_detail"),
    path("items/<str:code>/v/<int:number>/", views.item_detail, name="item_version"),
    path("lists/", views_lists.list_index, name="lists"),
    path("lists/<slug:key>/", views_lists.list_page, name="list"),
    path("lists/<slug:key>/excel/", views_lists.list_excel, name="list_excel"),
    path("bundles/", views.bundle_list, name="bundle_list"),
    path("bundles/<slug:code>/", views.bundle_detail, name="bundle_detail"),
    path("files/<str:key>/", views.catalog_file, name="catalog_file"),
    path("statistics/", views_statistics.statistics, name="statistics"),
]
