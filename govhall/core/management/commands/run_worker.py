"""后台任务 worker: ``python manage.py run_worker`` (docs/tasks.md).

django-tasks-db's ``db_worker`` with crash recovery: the worker is named
``host:pid:start``; when it starts, and once a minute while it runs, the task rows left
RUNNING by a worker that is gone (killed with SIGKILL, its host lost) are put back to
READY and overdue deliveries are queued again (``govhall.core.tasks.recover_stale_tasks``,
``requeue_overdue``). Every option of ``db_worker`` applies. With
``GOVHALL_TASK_BACKEND=rq`` it runs django-rq's ``rqworker --with-scheduler`` (with django-tasks-rq's job class) on the
queue instead (``--batch`` becomes ``--burst``), with the overdue sweep.
"""

from __future__ import annotations

import logging
import threading

from django.core.management import call_command
from django.db import connection
from django_tasks import task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from govhall.core import tasks

logger = logging.getLogger("govhall.core.tasks")


def _sweep(*, every: float, stop: threading.Event, db: bool) -> None:
    while not stop.wait(every):
        try:
            if db:
                tasks.recover_stale_tasks()
            tasks.requeue_overdue()
        except Exception:
            logger.exception("task recovery sweep failed")
        finally:
            connection.close()


class Command(DbWorkerCommand):
    help = "后台任务 worker（db_worker + 崩溃恢复：重新排队被杀 worker 遗留的任务）"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(worker_id=None, reload=False)
        for action in parser._actions:
            if action.dest == "backend_name":
                action.type = str  # db_worker takes only database backends; RQ too here
        parser.add_argument(
            "--recover-every",
            type=float,
            default=60.0,
            help="seconds between recovery sweeps while running (default: 60)",
        )

    def handle(self, *args, **options):
        every = options.pop("recover_every")
        backend = task_backends[options["backend_name"]]
        db = isinstance(backend, DatabaseBackend)
        self.configure_logging(options["verbosity"])
        if db:
            options["worker_id"] = options["worker_id"] or tasks.worker_id()
            recovered = tasks.recover_stale_tasks()
            if recovered:
                self.stdout.write(f"已重新排队 {len(recovered)} 个崩溃遗留的任务")
        requeued = tasks.requeue_overdue()
        if requeued:
            self.stdout.write(f"已重新投递 {len(requeued)} 个逾期未执行的任务")
        self.stdout.flush()
        stop = threading.Event()
        if not options["batch"] and every > 0:
            threading.Thread(
                target=_sweep, kwargs={"every": every, "stop": stop, "db": db}, daemon=True
            ).start()
        try:
            if db:
                super().handle(*args, **options)
            else:
                self._rq(options)
        finally:
            stop.set()

    def _rq(self, options):
        queues = options["queue_name"].split(",")
        extra = ["--burst"] if options["batch"] else []
        if options["max_tasks"]:
            extra += ["--max-jobs", str(options["max_tasks"])]
        call_command(
            "rqworker",
            *queues,
            "--with-scheduler",
            "--job-class",
            "django_tasks_rq.backend.Job",
            *extra,
        )
