import pytest

from govhall.notifications import services, sms

from . import backends


@pytest.fixture(autouse=True)
def sms_outbox(settings):
    """SMS kept in memory (``sms.outbox``), emptied for each test."""
    settings.GOVHALL_SMS_BACKEND = "govhall.notifications.sms.LocmemBackend"
    services.forget_kicks()
    sms.outbox.clear()
    backends.calls.clear()
    yield sms.outbox
    sms.outbox.clear()
