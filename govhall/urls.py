from django.contrib import admin
from django.urls import include, path

from govhall.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("api/", include("govhall.api.urls")),
    path("staff/org/", include("govhall.org.urls")),
    path("staff/catalog/", include("govhall.catalog.urls")),
    path("staff/", include("govhall.core.urls")),
    path("staff/calendar/", include("govhall.calendar.urls")),
    path("staff/cases/", include("govhall.cases.urls")),
    path("staff/notifications/", include("govhall.notifications.urls")),
    path("staff/supervision/", include("govhall.supervision.urls")),
    path("staff/feedback/ratings/", include("govhall.feedback.ratings.urls")),
    path("staff/feedback/complaints/", include("govhall.feedback.complaints.urls")),
    path("staff/filings/", include("govhall.filings.urls")),
    path("staff/lists/", include("govhall.lists.urls")),
    path("staff/governance/", include("govhall.governance.urls")),
    path("staff/licences/", include("govhall.licences.urls")),
    path("staff/hall/", include("govhall.hall.urls")),
    path("staff/finder/", include("govhall.finder.urls")),
    path("staff/people/", include("govhall.staff.urls")),
    path("cases/", include("govhall.cases.public_urls")),
    path("feedback/ratings/", include("govhall.feedback.ratings.public_urls")),
    path("feedback/complaints/", include("govhall.feedback.complaints.public_urls")),
    path("filings/", include("govhall.filings.public_urls")),
    path("licences/", include("govhall.licences.public_urls")),
    path("hall/", include("govhall.hall.public_urls")),
    path("open311/v2/", include("govhall.feedback.open311.urls")),
    path("", include("govhall.portal.urls")),
]
