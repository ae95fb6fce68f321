"""Public (citizen) pages of ratings, mounted at /feedback/ratings/."""

app_name = "ratings_public"

urlpatterns: list = []
