"""Staff pages of the organisation, mounted at /staff/org/."""

from django.urls import path

from . import lockout_views, task_views, views

app_name = "org"

urlpatterns = [
    path("", views.index, name="index"),
    path("centres/", views.centre_list, name="centres"),
    path("centres/new/", views.centre_edit, name="centre_create"),
    path("centres/<int:pk>/", views.centre_edit, name="centre"),
    path("departments/", views.department_list, name="departments"),
    path("departments/new/", views.department_edit, name="department_create"),
    path("departments/<int:pk>/", views.department_edit, name="department"),
    path("departments/<int:pk>/station/", views.station, name="station"),
    path(
        "departments/<int:pk>/end-stationing/<int:stationing_pk>/",
        views.end_stationing,
        name="end_stationing",
    ),
    path("windows/", views.window_list, name="windows"),
    path("windows/new/", views.window_edit, name="window_create"),
    path("windows/<int:pk>/", views.window_edit, name="window"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/new/", views.staff_edit, name="staff_create"),
    path("staff/<int:pk>/", views.staff_edit, name="staff"),
    path("api-clients/", views.api_client_list, name="api_clients"),
    path("api-clients/new/", views.api_client_create, name="api_client_create"),
    path("api-clients/<int:pk>/", views.api_client_detail, name="api_client"),
    path("api-clients/<int:pk>/revoke/", views.api_client_revoke, name="api_client_revoke"),
    path("lockouts/", lockout_views.lockout_list, name="lockouts"),
    path("lockouts/<int:pk>/lift/", lockout_views.lockout_lift, name="lockout_lift"),
    path("tasks/", task_views.task_list, name="tasks"),
    path("tasks/<int:pk>/retry/", task_views.task_retry, name="task_retry"),
    path("tasks/<int:pk>/discard/", task_views.task_discard, name="task_discard"),
]
