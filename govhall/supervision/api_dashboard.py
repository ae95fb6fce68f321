"""REST endpoints of 电子监察's dashboard (mounted under /api/v1/ by govhall/api/urls.py)."""

urlpatterns: list = []
