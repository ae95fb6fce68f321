"""Background work of the finder (docs/tasks.md): encode guides after 发布."""

from govhall.core import tasks as core_tasks

from . import services


@core_tasks.reliable_task(max_attempts=5)
def index_versions(*, delivery_id, version_ids):
    """Encode the published versions ``version_ids`` (a no-op for those done)."""
    services.index_versions(version_ids=version_ids)
