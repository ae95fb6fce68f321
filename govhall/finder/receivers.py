"""The finder listens to the catalogue: a published guide is queued for encoding."""

from django.dispatch import receiver

from govhall.catalog.signals import guides_published
from govhall.core import tasks as core_tasks


@receiver(guides_published)
def encode_published(sender, version_ids, **kwargs):
    from .tasks import index_versions

    ids = sorted(version_ids)
    core_tasks.enqueue(
        index_versions,
        delivery_id=f"finder:index:{ids[0]}:{ids[-1]}:{len(ids)}",
        version_ids=ids,
    )
