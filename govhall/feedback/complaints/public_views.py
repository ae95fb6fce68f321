"""Public pages (/feedback/complaints/): 网上诉求 (the form, with attachments, the
tracking number shown after submitting) and 诉求查询 (number + the phone's last 4
digits).

The form is throttled per client address as the API's anonymous POST is (the same
django-ratelimit group and ``GOVHALL_COMPLAINT_RATE_PER_ADDRESS``), every attempt
counting. The lookup is throttled like the case progress query
(``cases.public_views``): per address every query (``GOVHALL_PROGRESS_RATE_PER_ADDRESS``),
per 诉求编号 every wrong tail (``GOVHALL_PROGRESS_WRONG_TAILS_PER_NUMBER``); past either
limit the page answers 429 with the same message and does not look the complaint up. A
wrong tail answers exactly as an unknown number does."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse
from django_ratelimit.core import get_usage

from govhall.core import security, web
from govhall.core.errors import DomainError, NotFound

from . import selectors, services
from .api import DEFAULT_RATE
from .forms import SubmitForm, TrackForm

THROTTLED_CODE = "complaint_throttled"
THROTTLED_MESSAGE = (
    "操作过于频繁，请稍后再试。也可拨打 12345 热线或到政务服务中心有诉即办窗口反映。"
)
SESSION_KEY = "complaints_submitted"


def _address(group, request) -> str:
    return security.client_address(request)


def _usage(request, *, group, rate, key=_address, increment=True):
    return get_usage(request, group=group, key=key, rate=rate, increment=increment)


def _exhausted(usage) -> bool:
    return usage is not None and usage["count"] >= usage["limit"]


def submit(request):
    form = SubmitForm(request.POST or None, request.FILES or None)
    error = ""
    status = 200
    if request.method == "POST":
        rate = getattr(settings, "GOVHALL_COMPLAINT_RATE_PER_ADDRESS", DEFAULT_RATE)
        usage = _usage(request, group="complaints.submit.address", rate=rate)
        if usage is not None and usage["should_limit"]:
            error, status = THROTTLED_MESSAGE, 429
        elif form.is_valid():
            d = form.cleaned_data
            try:
                complaint = services.submit_online(
                    category=d["category"],
                    subject=d["subject"],
                    content=d["content"],
                    name=d["name"],
                    phone=d["phone"],
                    files=d["files"],
                )
            except DomainError as exc:
                error = "；".join(web.apply_errors(exc, form=form)) or exc.message
                status = 400
            else:
                # Only the browser that submitted sees the number on the next page.
                request.session[SESSION_KEY] = complaint.number
                return redirect("complaints_public:submitted")
        else:
            error, status = "请检查填写的内容", 400
    return render(
        request, "complaints/public_submit.html", {"form": form, "error": error}, status=status
    )


def submitted(request):
    number = request.session.get(SESSION_KEY)
    if not number:
        return redirect("complaints_public:submit")
    return render(
        request,
        "complaints/public_submitted.html",
        {"number": number, "track_url": reverse("complaints_public:track") + f"?number={number}"},
    )


def track(request):
    bound = "phone_tail" in request.GET
    form = TrackForm(
        request.GET if bound else None, initial={"number": request.GET.get("number", "")}
    )
    result, not_found, throttled = None, False, False
    if bound:
        address = _usage(
            request,
            group="complaints.track.address",
            rate=settings.GOVHALL_PROGRESS_RATE_PER_ADDRESS,
        )
        throttled = address is not None and address["should_limit"]
    if bound and not throttled and form.is_valid():
        number = form.cleaned_data["number"].strip().upper()
        tails = {
            "group": "complaints.track.wrong_tail",
            "rate": settings.GOVHALL_PROGRESS_WRONG_TAILS_PER_NUMBER,
            "key": lambda group, req: number,
        }
        if _exhausted(_usage(request, increment=False, **tails)):
            throttled = True
        else:
            try:
                result = selectors.public_tracking(
                    number=number, phone_tail=form.cleaned_data["phone_tail"]
                )
            except NotFound:
                _usage(request, **tails)
                not_found = True
    elif bound and not throttled:
        not_found = True
    return render(
        request,
        "complaints/public_track.html",
        {
            "form": form,
            "result": result,
            "not_found": not_found,
            "throttled": throttled and THROTTLED_MESSAGE,
            "throttled_code": "complaint_track_throttled",
        },
        status=429 if throttled else 200,
    )
