"""SMS behind one interface (短信发送接口), the way Django's mail backends work.

A backend is a class with ``send_messages(messages) -> int``; ``messages`` are
:class:`SmsMessage` (phone, text). The one in use is named by the setting
``GOVHALL_SMS_BACKEND`` (a dotted path, default the console backend). Shipped:

* :class:`ConsoleBackend` (default) — writes each message to standard output (the
  worker's log), the phone **masked**;
* :class:`FileBackend` — appends one JSON line per message to
  ``GOVHALL_SMS_FILE_PATH`` (default ``var/sms.log``), phone masked;
* :class:`LocmemBackend` — keeps the messages in :data:`outbox` (tests);
* :class:`NullBackend` — drops them (benchmarks).

A real gateway (运营商短信网关, a cloud SMS service) is one more class, in the
deployment's own module or here::

    from govhall.notifications import sms


    class GatewayBackend(sms.BaseSmsBackend):
        def send_messages(self, messages):
            for m in messages:
                ...  # POST m.phone and m.text to the gateway; raise on refusal
            return len(messages)

and ``GOVHALL_SMS_BACKEND=mycounty.sms.GatewayBackend`` in the environment. A backend
raises on failure: the notification is retried (docs/notifications.md).
"""

from __future__ import annotations

import json
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.module_loading import import_string

from govhall.core import clock
from govhall.core.validators import mask_phone

DEFAULT_BACKEND = "govhall.notifications.sms.ConsoleBackend"


@dataclass(frozen=True)
class SmsMessage:
    phone: str
    text: str
    ref: str = ""

    def __repr__(self):  # never the full number in a traceback or a log
        return f"SmsMessage(phone={mask_phone(self.phone)!r}, text={self.text[:20]!r}…)"


class BaseSmsBackend:
    """Subclass and implement :meth:`send_messages`. ``options`` come from
    ``GOVHALL_SMS_OPTIONS`` (a dict: gateway address, keys …)."""

    def __init__(self, **options):
        self.options = options

    def send_messages(self, messages: list[SmsMessage]) -> int:
        raise NotImplementedError


class ConsoleBackend(BaseSmsBackend):
    """Each message on the console (the worker's output), phone masked."""

    def __init__(self, stream=None, **options):
        super().__init__(**options)
        self.stream = stream

    def send_messages(self, messages):
        stream = self.stream or sys.stdout
        for m in messages:
            stream.write(f"[短信] {mask_phone(m.phone)}：{m.text}\n")
        stream.flush()
        return len(messages)


class FileBackend(BaseSmsBackend):
    """One JSON line per message, appended to ``GOVHALL_SMS_FILE_PATH``; phone masked."""

    _lock = threading.Lock()

    def send_messages(self, messages):
        path = Path(
            self.options.get("path")
            or getattr(settings, "GOVHALL_SMS_FILE_PATH", settings.VAR_DIR / "sms.log")
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = [
            json.dumps(
                {
                    "at": clock.now().isoformat(),
                    "phone": mask_phone(m.phone),
                    "text": m.text,
                    "ref": m.ref,
                },
                ensure_ascii=False,
            )
            for m in messages
        ]
        with self._lock, path.open("a", encoding="utf-8") as fh:
            fh.write("".join(line + "\n" for line in lines))
        return len(messages)


outbox: list[SmsMessage] = []


class LocmemBackend(BaseSmsBackend):
    """Messages kept in :data:`outbox` (as a gateway would receive them)."""

    def send_messages(self, messages):
        outbox.extend(messages)
        return len(messages)


class NullBackend(BaseSmsBackend):
    """Accepts and drops every message."""

    def send_messages(self, messages):
        return len(messages)


class UnavailableBackend(BaseSmsBackend):
    """A gateway that refuses everything (the demo's failed delivery)."""

    def send_messages(self, messages):
        raise ConnectionError("短信网关不可用（演示）")


def get_backend(path: str | None = None) -> BaseSmsBackend:
    """The backend named by ``path`` or ``GOVHALL_SMS_BACKEND``."""
    path = path or getattr(settings, "GOVHALL_SMS_BACKEND", "") or DEFAULT_BACKEND
    options = getattr(settings, "GOVHALL_SMS_OPTIONS", {}) or {}
    return import_string(path)(**options)
