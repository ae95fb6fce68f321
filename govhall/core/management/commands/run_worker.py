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
import time

from django.core.management import call_command
from django.db import OperationalError, close_old_connections, connection, transaction
from django.utils import timezone
from django_tasks import task_backends
from django_tasks.base import TaskContext
from django_tasks.signals import task_finished, task_started
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.management.commands import db_worker
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

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


class Worker(db_worker.Worker):
    """django-tasks-db's worker, claiming up to ``claim`` ready tasks in one
    transaction, and running a reliable task's body, its done mark and the task row's
    SUCCESSFUL in one transaction (one commit per task instead of three). A worker
    killed with tasks claimed leaves them RUNNING: the recovery puts them back."""

    claim = 20

    def run(self) -> None:
        db_worker.logger.info(
            "Starting worker worker_id=%s queues=%s", self.worker_id, ",".join(self.queue_names)
        )
        while self.running:
            close_old_connections()
            ready = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
            if not self.process_all_queues:
                ready = ready.filter(queue_name__in=self.queue_names)
            if self.excluded_queue_names:
                ready = ready.exclude(queue_name__in=self.excluded_queue_names)
            limit = self.claim
            if self.max_tasks is not None:
                limit = min(limit, self.max_tasks - self._run_tasks)
            claimed, retrieved = [], True
            with exclusive_transaction(ready.db):
                try:
                    claimed = list(ready.select_for_update(skip_locked=True)[:limit])
                    if claimed:
                        self._claim(claimed)
                except OperationalError as e:
                    if not is_locked_database_exception(e):
                        raise
                    claimed, retrieved = [], False
            for index, row in enumerate(claimed):
                if not self.running:  # asked to stop: give back what is not begun
                    self._give_back(claimed[index:])
                    break
                try:
                    self.run_task(row)
                except BaseException:  # stopped at once (a second signal) or worse
                    self._give_back(claimed[index + 1 :])
                    raise
            if self.batch and retrieved and not claimed:
                db_worker.logger.info("No more tasks for worker_id=%s - exiting.", self.worker_id)
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                return
            close_old_connections()
            if self.running and not claimed:
                time.sleep(self.interval)

    def _claim(self, rows: list[DBTaskResult]) -> None:
        """Mark ``rows`` RUNNING by this worker: one UPDATE for the rows no worker ran
        before (the usual case), one per row re-queued after a crash (its list of
        workers grows by this one)."""
        now = timezone.now()
        fresh = [row.pk for row in rows if not row.worker_ids]
        if fresh:
            DBTaskResult.objects.filter(pk__in=fresh).update(
                status="RUNNING", started_at=now, worker_ids=[self.worker_id]
            )
        for row in rows:
            row.status, row.started_at = "RUNNING", now
            row.worker_ids = [*row.worker_ids, self.worker_id]
            if len(row.worker_ids) > 1:
                row.save(update_fields=["status", "started_at", "worker_ids"])

    def _give_back(self, rows: list[DBTaskResult]) -> None:
        if rows:
            DBTaskResult.objects.filter(pk__in=[r.pk for r in rows], status="RUNNING").update(
                status="READY"
            )

    def run_task(self, db_task_result: DBTaskResult) -> None:
        try:
            task = db_task_result.task
        except Exception:
            return super().run_task(db_task_result)
        if getattr(task.func, "reliable", None) is None:
            return super().run_task(db_task_result)  # not ours: as db_worker runs it
        try:
            self.running_task = True
            task_result = db_task_result.task_result
            sender = type(task.get_backend())
            task_started.send(sender=sender, task_result=task_result)
            with transaction.atomic():
                value = task.call(TaskContext(task_result=task_result), **task_result.kwargs)
                db_task_result.set_successful(value)
            task_finished.send(sender=sender, task_result=db_task_result.task_result)
        except (KeyboardInterrupt, SystemExit):
            # stopped inside the body: the attempt rolled back; the task is run again
            DBTaskResult.objects.filter(pk=db_task_result.pk).update(status="READY")
            raise
        except BaseException as e:
            db_task_result.set_failed(e)
            task_finished.send(
                sender=type(task.get_backend()), task_result=db_task_result.task_result
            )
        finally:
            self.running_task = False
            self._run_tasks += 1


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
        parser.add_argument(
            "--claim",
            type=int,
            default=Worker.claim,
            help="ready tasks claimed at once (default: %(default)s)",
        )

    def handle(self, *args, **options):
        every = options.pop("recover_every")
        claim = options.pop("claim")
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
                Worker.claim = claim
                original, db_worker.Worker = db_worker.Worker, Worker
                try:
                    super().handle(*args, **options)
                finally:
                    db_worker.Worker = original
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
