"""Public (citizen) pages of complaints, mounted at /feedback/complaints/."""

app_name = "complaints_public"

urlpatterns: list = []
