"""The signature of 审管联动's webhooks, both ways (docs/licences.md "Webhooks").

A request carries

* ``X-Govhall-Delivery`` — the delivery id (also ``Idempotency-Key``): a receiver
  keeps it and answers 2xx to a delivery it already has, so a push sent twice (a
  worker killed after the POST, a retry after a lost answer) is taken once;
* ``X-Govhall-Timestamp`` — Unix seconds when signed;
* ``X-Govhall-Signature`` — ``sha256=`` and the hex HMAC-SHA256, under the
  department's key, of ``<timestamp>.<body>``.

:func:`verify` is the receiving side (the webhook in of 监管反馈, and any receiver a
department writes): the signature matches in constant time and the timestamp is
within ``TOLERANCE`` of now, so a captured request cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac
import json

from govhall.core import clock

TOLERANCE_SECONDS = 300
DELIVERY = "X-Govhall-Delivery"
TIMESTAMP = "X-Govhall-Timestamp"
SIGNATURE = "X-Govhall-Signature"


def body_of(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def signature(*, secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def headers(*, secret: str, delivery_id: str, body: bytes) -> dict:
    timestamp = str(int(clock.now().timestamp()))
    return {
        "Content-Type": "application/json; charset=utf-8",
        DELIVERY: delivery_id,
        "Idempotency-Key": delivery_id,
        TIMESTAMP: timestamp,
        SIGNATURE: signature(secret=secret, timestamp=timestamp, body=body),
    }


def verify(*, secret: str, timestamp: str, sent: str, body: bytes) -> bool:
    """The request was signed with ``secret`` within the last few minutes."""
    try:
        age = abs(clock.now().timestamp() - int(timestamp))
    except (TypeError, ValueError):
        return False
    if age > TOLERANCE_SECONDS:
        return False
    expected = signature(secret=secret, timestamp=timestamp, body=body)
    return hmac.compare_digest(expected, sent or "")
