"""REST endpoints of 电子监察's evaluation (mounted under /api/v1/ by govhall/api/urls.py)."""

urlpatterns: list = []
