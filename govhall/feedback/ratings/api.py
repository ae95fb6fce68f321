"""REST endpoints of this app (mounted under /api/v1/)."""

urlpatterns: list = []
