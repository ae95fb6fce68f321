"""Staff pages, mounted at /staff/feedback/ratings/."""

app_name = "ratings"

urlpatterns: list = []
