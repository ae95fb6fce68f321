"""The SMS rating link's token (短信评价链接): signed, expiring, single use.

A token is ``django.core.signing.dumps`` of ``{"c": case id, "r": round, "n": nonce,
"t": issued (Unix seconds by govhall.core.clock)}`` with the salt :data:`SALT`, so
only this site can make one and it names one case. It expires
``RATINGS_TOKEN_DAYS`` days after it was issued (checked against the clock, not the
signer's own ``time.time()``, so tests and the demo move it with the clock). Its use
is recorded: the rating stores the nonce in a unique column (``Rating.token_nonce``),
so a second use is refused, also by the database when two arrive at once.

A refused token changes nothing; the errors (stable codes):

* ``token_invalid`` (400) — not made here, altered, or not a token at all;
* ``token_expired`` (400) — older than the setting;
* ``token_used`` (409) — already used for a rating (raised by ``services``).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.core import signing

from govhall.core import clock, policy
from govhall.core.errors import ValidationFailed

SALT = "govhall.ratings.sms-link"
TOKEN_MAX = 300  # characters accepted from outside; a real token is about 90

INVALID_MESSAGE = "评价链接无效，请核对短信中的链接，或通过办件进度查询页面评价"
EXPIRED_MESSAGE = "评价链接已过期，请通过办件进度查询页面评价，或拨打服务中心电话评价"
USED_MESSAGE = "该评价链接已使用过，每条链接只能评价一次"


@dataclass(frozen=True)
class Token:
    case_id: int
    round: int
    nonce: str
    issued_at: dt.datetime


def make(*, case_id: int, round: int = 1) -> str:
    """A new token for ``case_id`` (each call a new nonce)."""
    payload = {
        "c": case_id,
        "r": round,
        "n": secrets.token_hex(8),
        "t": int(clock.now().timestamp()),
    }
    return signing.dumps(payload, salt=SALT)


def read(token: str) -> Token:
    """The token's content, or :class:`ValidationFailed` (``token_invalid`` /
    ``token_expired``). Does not look at whether it was used."""
    token = (token or "").strip()
    if not token or len(token) > TOKEN_MAX:
        raise ValidationFailed(INVALID_MESSAGE, code="token_invalid", fields={"token": ["无效"]})
    try:
        data = signing.loads(token, salt=SALT)
        parsed = Token(
            case_id=int(data["c"]),
            round=int(data["r"]),
            nonce=str(data["n"])[:32],
            issued_at=dt.datetime.fromtimestamp(int(data["t"]), tz=dt.UTC),
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError, OverflowError):
        raise ValidationFailed(
            INVALID_MESSAGE, code="token_invalid", fields={"token": ["无效"]}
        ) from None
    if parsed.round < 1 or not parsed.nonce:
        raise ValidationFailed(INVALID_MESSAGE, code="token_invalid", fields={"token": ["无效"]})
    days = int(policy.get("RATINGS_TOKEN_DAYS"))
    if clock.now() > parsed.issued_at + dt.timedelta(days=days):
        raise ValidationFailed(EXPIRED_MESSAGE, code="token_expired", fields={"token": ["已过期"]})
    return parsed
