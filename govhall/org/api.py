"""REST endpoints of this app (mounted under /api/v1/ by govhall.api.urls)."""

urlpatterns: list = []
