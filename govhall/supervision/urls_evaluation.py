"""Staff pages of 电子监察's evaluation (included by urls; names in the
supervision namespace)."""

urlpatterns: list = []
