def govhall(request):
    staff = getattr(request.user, "staff", None) if request.user.is_authenticated else None
    return {"site_name": "政务服务中心", "current_staff": staff}
