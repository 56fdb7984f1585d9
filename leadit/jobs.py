"""Background jobs that are never lost: recorded first, queued after commit, idempotent,
retried with backoff on named transient errors, and swept up if the broker was down."""

import functools
import logging
import os
import socket
import threading
from contextlib import suppress
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from .models import BackgroundJob

logger = logging.getLogger(__name__)

# A job still queued this long after it was sent (or after its retry was due) has been lost
# by the broker, or by a worker killed while it held a delayed retry: the sweep sends it
# again. The handler's status check and the lease make a duplicate message harmless.
RESEND_AFTER = timedelta(minutes=5)
NEVER_SENT_GRACE = timedelta(minutes=1)
# A job running longer than the hard time limit plus this has lost its worker (killed by
# the limit, the OOM killer, a lost machine): nothing will ever finish it.
LOST_GRACE = timedelta(minutes=5)
MAX_ATTEMPTS = 5

# Sent with ``job`` when the sweep gives up on a job whose worker vanished, so that the app
# that queued it can mark its own rows (a rendered document, a send) as failed too.
job_lost = Signal()
WORKER_LOST_MESSAGE = (
    "No worker finished this job: it was stopped or ran over its time limit. "
    "Retry it if its work is not done."
)
RETRY_BASE_SECONDS = 10

# The database went away for a moment (a restart, a fail-over, a terminated backend): every
# job retries that with backoff, whatever else it names as transient.
DATABASE_ERRORS = (OperationalError, InterfaceError)


def heartbeat_seconds() -> float:
    """How often a running job tells the database its worker is alive."""
    return getattr(settings, "JOB_HEARTBEAT_SECONDS", 10)


def lease_seconds() -> float:
    """A running job not heard of for this long has lost its worker (killed, machine
    lost): the sweep queues it again."""
    return getattr(settings, "JOB_LEASE_SECONDS", 30)


def _owner() -> str:
    """This worker process, as written in a job's lease: "host:pid"."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _owner_is_elsewhere_and_alive(owner: str) -> bool:
    """Whether the process ``owner`` may still be running the job. Only a process of this
    machine can be checked; another machine's is taken at its (fresh) heartbeat's word."""
    host, _, pid = owner.rpartition(":")
    if owner == _owner():
        return False  # this very process: its earlier attempt has ended
    if host != socket.gethostname() or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _reconnecting(operation):
    """Run ``operation()``; if the database connection was lost, open a new one and run
    it once more (a second failure is raised)."""
    try:
        return operation()
    except DATABASE_ERRORS:
        logger.warning("Database connection lost; reconnecting", exc_info=True)
        with suppress(Exception):
            connection.close()
        return operation()


def _stamp(text: str) -> str:
    return f"{timezone.now():%Y-%m-%d %H:%M:%S} UTC: {text}\n"


class _Heartbeat:
    """While a job runs, a small thread renews its lease every ``heartbeat_seconds()``."""

    def __init__(self, job_id: int, owner: str):
        self.job_id, self.owner = job_id, owner
        self.stopped = threading.Event()
        self.thread = threading.Thread(
            target=self._run, name=f"job-{job_id}-heartbeat", daemon=True
        )

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.stopped.set()
        self.thread.join(timeout=heartbeat_seconds() + 5)

    def _run(self) -> None:
        try:
            while not self.stopped.wait(heartbeat_seconds()):
                try:
                    BackgroundJob.objects.filter(
                        pk=self.job_id, status=BackgroundJob.Status.RUNNING, lease_owner=self.owner
                    ).update(heartbeat_at=timezone.now())
                except Exception:  # the database is away: try again at the next beat
                    logger.warning("Job %s: heartbeat not recorded", self.job_id, exc_info=True)
                    with suppress(Exception):
                        connection.close()
        finally:
            with suppress(Exception):
                connection.close()  # this thread's own connection


def job_enqueue(*, task, description: str = "", **arguments) -> BackgroundJob:
    """Record a job for ``task`` and send it to the broker once the transaction commits."""
    job = BackgroundJob.objects.create(
        task_name=task.name, arguments=arguments, description=description[:300]
    )
    transaction.on_commit(functools.partial(job_send, job_id=job.pk, task=task))
    return job


def job_send(*, job_id: int, task=None) -> bool:
    """Hand a recorded job to the broker; False (and the job stays queued) if it is down.

    Without a broker (eager Celery, the embedded default) the job runs here and now; as
    with a worker, its failure is the job's (recorded on its row for staff), not the
    caller's: the request that queued it still answers.
    """
    job = BackgroundJob.objects.get(pk=job_id)
    if task is None:
        from .celery import app

        task = app.tasks[job.task_name]
    try:
        task.apply_async(kwargs={"job_id": job.pk, **job.arguments})
    except BrokerError:
        logger.warning("Broker unavailable; job %s stays queued for the sweep", job.pk)
        return False
    except Exception:
        if not task.app.conf.task_always_eager:
            raise
        logger.exception("Job %s (%s) failed", job.pk, job.task_name)
    BackgroundJob.objects.filter(pk=job.pk, status=BackgroundJob.Status.QUEUED).update(
        sent_at=timezone.now()
    )
    return True


# A queued job sent longer ago than this is not waiting for a retry of its own (the longest
# backoff is 10 minutes): staff may send it again.
STUCK_AFTER = timedelta(minutes=15)


def job_is_stuck(job: BackgroundJob, now=None) -> bool:
    """Whether a queued job waits for nothing: never sent, sent long ago, or queued where
    no worker will ever pick it up (eager Celery runs a job when it is sent)."""
    from .celery import app

    if job.status != BackgroundJob.Status.QUEUED:
        return False
    now = now or timezone.now()
    return app.conf.task_always_eager or job.sent_at is None or job.sent_at < now - STUCK_AFTER


def job_retry(*, job: BackgroundJob) -> BackgroundJob:
    """Staff's "retry": queue a failed (or stuck queued) job again."""
    with transaction.atomic():
        job.status = BackgroundJob.Status.QUEUED
        job.last_error = ""
        job.sent_at = None
        job.history += _stamp("queued again by staff")
        job.save(update_fields=["status", "last_error", "sent_at", "history"])
        transaction.on_commit(functools.partial(job_send, job_id=job.pk))
    return job


def background_job(*, name: str, transient: tuple[type[Exception], ...] = ()):
    """Make ``func(**arguments)`` a Celery task run under a ``BackgroundJob`` row.

    A job that is already done (a duplicate delivery) is skipped. Exceptions listed in
    ``transient`` are retried with exponential backoff up to ``MAX_ATTEMPTS``; anything
    else fails the job at once with its error recorded for staff.
    """

    def decorator(func):
        # The job's own attempts (MAX_ATTEMPTS) are the limit, counted in its row across
        # broker retries and re-queues by the sweep alike.
        @shared_task(name=name, bind=True, max_retries=None)
        @functools.wraps(func)
        def task(self, *, job_id: int, **arguments):
            owner = _owner()
            try:
                job = _reconnecting(lambda: _start(job_id, owner))
            except DATABASE_ERRORS as exc:
                if self.request.is_eager:
                    raise
                # Nothing was recorded: the message comes back later, the row is unchanged.
                countdown = min(RETRY_BASE_SECONDS * 2 ** (self.request.retries + 1), 600)
                raise self.retry(exc=exc, countdown=countdown) from exc
            if job is None:
                return None
            retried = transient + DATABASE_ERRORS
            heartbeat = _Heartbeat(job.pk, owner) if not self.request.is_eager else None
            try:
                if heartbeat is None:
                    result = func(**arguments)
                else:
                    with heartbeat:
                        result = func(**arguments)
            except retried as exc:
                if self.request.is_eager:
                    # No worker to try again later, and a retry now would hold the request
                    # that queued the job: it fails with its error, for staff to retry.
                    _finish(job, BackgroundJob.Status.FAILED, exc)
                    logger.warning("Job %s failed (%s); staff may retry it", job_id, exc)
                    return None
                final = job.attempts >= MAX_ATTEMPTS
                status = BackgroundJob.Status.FAILED if final else BackgroundJob.Status.QUEUED
                note = "" if final else f"; retried (attempt {job.attempts + 1} of {MAX_ATTEMPTS})"
                countdown = min(RETRY_BASE_SECONDS * 2**job.attempts, 600)
                # When the retry is due: if the worker holding the delayed message dies,
                # the sweep sends the job again RESEND_AFTER past this.
                due = timezone.now() + timedelta(seconds=countdown)
                try:
                    _finish(job, status, exc, note=note, retry_due=None if final else due)
                except DATABASE_ERRORS:
                    # Still no database: the retry goes ahead all the same (the row says
                    # running until the retry or the sweep takes it over).
                    logger.exception("Job %s: outcome not recorded", job_id)
                if final:
                    raise
                raise self.retry(exc=exc, countdown=countdown) from exc
            except Exception as exc:
                _finish(job, BackgroundJob.Status.FAILED, exc)
                raise
            _finish(job, BackgroundJob.Status.DONE)
            return result

        return task

    return decorator


def _start(job_id: int, owner: str) -> BackgroundJob | None:
    """Take the job for this attempt: the job, or None if there is nothing to run (it is
    gone, finished, or running on another live worker: a duplicate delivery)."""
    with transaction.atomic():
        job = BackgroundJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status in (BackgroundJob.Status.DONE, BackgroundJob.Status.FAILED):
            logger.info("Job %s is gone or finished; nothing to do", job_id)
            return None
        now = timezone.now()
        if job.status == BackgroundJob.Status.RUNNING:
            last_heard = job.heartbeat_at or job.started_at
            fresh = last_heard is not None and last_heard > now - timedelta(seconds=lease_seconds())
            if fresh and _owner_is_elsewhere_and_alive(job.lease_owner):
                logger.info("Job %s is running on %s; not run twice", job_id, job.lease_owner)
                return None
            job.history += _stamp(
                f"attempt {job.attempts}: its worker ({job.lease_owner or 'unknown'}) was lost; "
                "taken over"
            )
        job.status = BackgroundJob.Status.RUNNING
        job.attempts += 1
        job.started_at = job.heartbeat_at = now
        job.lease_owner = owner
        job.save(
            update_fields=[
                "status", "attempts", "started_at", "heartbeat_at", "lease_owner", "history"
            ]
        )  # fmt: skip
    return job


def _finish(
    job: BackgroundJob,
    status: str,
    exc: Exception | None = None,
    *,
    note: str = "",
    retry_due=None,
) -> None:
    """Record the attempt's outcome, on a new database connection if the old one died."""
    fields = ["status", "last_error", "finished_at", "history", "heartbeat_at"]
    if retry_due is not None:
        job.sent_at = retry_due
        fields.append("sent_at")
    job.status = status
    job.last_error = f"{type(exc).__name__}: {exc}" if exc else ""
    job.finished_at = timezone.now() if status != BackgroundJob.Status.QUEUED else None
    if exc is not None:
        job.history += _stamp(f"attempt {job.attempts}: {type(exc).__name__}: {exc}{note}"[:1000])
    job.heartbeat_at = None
    _reconnecting(lambda: job.save(update_fields=fields))


class WorkerLost(Exception):  # noqa: N818 - it is what happened
    pass


def fail_lost_jobs(now=None) -> int:
    """Mark as failed the jobs still "running" long after any worker could be running
    them (a task is killed at ``CELERY_TASK_TIME_LIMIT``) that have no heartbeat to go by
    (started before heartbeats were recorded), so staff see them and can retry; tell their
    apps (``job_lost``)."""
    now = now or timezone.now()
    lost_before = now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT) - LOST_GRACE
    lost = BackgroundJob.objects.filter(
        status=BackgroundJob.Status.RUNNING, heartbeat_at__isnull=True, started_at__lt=lost_before
    )
    count = 0
    for job in lost:
        _give_up(job, WORKER_LOST_MESSAGE)
        count += 1
    if count:
        logger.warning("Marked %s jobs whose worker was lost as failed", count)
    return count


def _give_up(job: BackgroundJob, message: str) -> None:
    _finish(job, BackgroundJob.Status.FAILED, WorkerLost(message))
    job_lost.send(sender=BackgroundJob, job=job)


def requeue_lost_jobs(now=None) -> int:
    """Queue again the running jobs whose worker stopped renewing their lease (killed
    outright, out of memory, machine lost), up to ``MAX_ATTEMPTS``; past that, or if the
    job had run for its whole time limit (it would be stopped again), fail it and tell its
    app (``job_lost``). Returns how many were queued again."""
    now = now or timezone.now()
    silent_since = now - timedelta(seconds=lease_seconds())
    candidates = BackgroundJob.objects.filter(
        status=BackgroundJob.Status.RUNNING, heartbeat_at__lt=silent_since
    )
    requeued = []
    for job in candidates:
        last_heard = job.heartbeat_at
        ran = (last_heard - job.started_at).total_seconds() if job.started_at else 0
        with transaction.atomic():
            # Only one sweep wins a job, and never one whose worker just spoke up.
            claimed = BackgroundJob.objects.filter(
                pk=job.pk, status=BackgroundJob.Status.RUNNING, heartbeat_at=last_heard
            ).update(heartbeat_at=None)
        if not claimed:
            continue
        job.refresh_from_db()
        silence = int((now - last_heard).total_seconds())
        who = job.lease_owner or "unknown"
        if ran >= settings.CELERY_TASK_TIME_LIMIT:
            _give_up(
                job,
                f"Worker lost on attempt {job.attempts} of {MAX_ATTEMPTS} after running "
                f"{int(ran)} s, past the time limit: stopped. Retry it if its work is not done.",
            )
        elif job.attempts >= MAX_ATTEMPTS:
            _give_up(
                job,
                f"Worker lost on attempt {job.attempts} of {MAX_ATTEMPTS} (no heartbeat from "
                f"{who} for {silence} s): no attempts left. Retry it if its work is not done.",
            )
        else:
            reason = (
                f"Worker lost (no heartbeat from {who} for {silence} s); re-queued, "
                f"attempt {job.attempts + 1} of {MAX_ATTEMPTS}"
            )
            job.status = BackgroundJob.Status.QUEUED
            job.last_error = reason
            job.sent_at = None
            job.history += _stamp(f"attempt {job.attempts}: {reason}")
            job.save(update_fields=["status", "last_error", "sent_at", "history"])
            requeued.append(job.pk)
            logger.warning("Job %s: %s", job.pk, reason)
    for pk in requeued:
        job_send(job_id=pk)
    return len(requeued)


@shared_task(name="leadit.requeue_stale_jobs")
def requeue_stale_jobs() -> int:
    """Periodic (beat, every 20 s): queue again the jobs whose worker was lost, send again
    the jobs the broker never got (it was down) or has lost, and fail the ones past saving. Returns how many queued jobs were sent again (lost workers' jobs aside)."""
    now = timezone.now()
    fail_lost_jobs(now)
    requeue_lost_jobs(now)
    never_sent = Q(sent_at__isnull=True, created_at__lt=now - NEVER_SENT_GRACE)
    lost = Q(sent_at__lt=now - RESEND_AFTER)
    stale = BackgroundJob.objects.filter(never_sent | lost, status=BackgroundJob.Status.QUEUED)
    sent = sum(job_send(job_id=pk) for pk in stale.values_list("pk", flat=True))
    if sent:
        logger.info("Re-sent %s queued jobs", sent)
    return sent


# --- The story of the work, for staff ------------------------------------------------------


def job_story(job: BackgroundJob, now=None) -> str:
    """What happened to ``job`` and to its work, in one line: an attempt that was
    interrupted and carried on by a later job for the same work says so, rather than
    "failed" for good."""
    now = now or timezone.now()
    status = BackgroundJob.Status
    lost_before = "was lost" in job.history or "Worker lost" in job.history
    if job.status == status.QUEUED:
        waiting = f" — {job.last_error}" if job.last_error else ""
        return f"Queued{waiting}"
    if job.status == status.RUNNING:
        heard = job.heartbeat_at or job.started_at
        since = f", last heard from {int((now - heard).total_seconds())} s ago" if heard else ""
        where = f" on {job.lease_owner}" if job.lease_owner else ""
        return f"Running (attempt {job.attempts} of {MAX_ATTEMPTS}){where}{since}"
    if job.status == status.DONE:
        if job.attempts > 1:
            why = " after its worker was lost" if lost_before else " after a transient error"
            return f"Done on attempt {job.attempts} of {MAX_ATTEMPTS}{why}"
        return "Done"
    later = job.same_work().filter(created_at__gt=job.created_at).order_by("created_at")
    resumed = later.filter(status=status.DONE).first() or later.last()
    if resumed is not None:
        verb = "Interrupted" if "WorkerLost" in job.last_error or lost_before else "Failed"
        return f"{verb} — resumed by job #{resumed.pk} ({resumed.get_status_display().lower()})"
    return f"Failed: {job.last_error}" if job.last_error else "Failed"
