"""Signals of the catalogue, for the apps that keep something derived from a guide.

``guides_published`` is sent after the transaction that published one or more guide
versions commits (发布 one by one, or the Excel import in bulk), with ``version_ids``:
the finder (``govhall.finder``) encodes them for search. The catalogue does not know
who listens.
"""

from django.db import transaction
from django.dispatch import Signal

guides_published = Signal()  # kwargs: version_ids: list[int]


def announce_published(version_ids: list[int]) -> None:
    """Send ``guides_published`` once the current transaction commits (at once outside
    one), so a listener never reads a version that is rolled back."""
    ids = list(version_ids)
    if ids:
        transaction.on_commit(lambda: guides_published.send(sender=None, version_ids=ids))
