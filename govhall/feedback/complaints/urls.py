"""Staff pages, mounted at /staff/feedback/complaints/."""

app_name = "complaints"

urlpatterns: list = []
