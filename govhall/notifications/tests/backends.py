"""SMS backends for tests: real backends (plugged in by ``GOVHALL_SMS_BACKEND``) that
fail the way a gateway does."""

from __future__ import annotations

from govhall.notifications import sms

calls: list[str] = []


class FlakyBackend(sms.LocmemBackend):
    """Refuses the first ``fail_times`` sends (default 2), then delivers."""

    fail_times = 2

    def send_messages(self, messages):
        calls.append("try")
        if len(calls) <= self.fail_times:
            raise ConnectionError(f"网关超时（{messages[0].phone}）")
        return super().send_messages(messages)


class BrokenBackend(sms.BaseSmsBackend):
    """Refuses every message."""

    def send_messages(self, messages):
        calls.append("try")
        raise ConnectionError(f"网关拒绝 {messages[0].phone}")
