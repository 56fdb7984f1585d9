"""Background jobs that are never lost: recorded first, queued after commit, idempotent,
retried with backoff on named transient errors, and swept up if the broker was down."""

import functools
import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from .models import BackgroundJob

logger = logging.getLogger(__name__)

# A job still queued this long after it was sent has been lost by the broker (or was never
# delivered): the sweep sends it again. The handler's status check keeps that harmless.
RESEND_AFTER = timedelta(hours=1)
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
        job.save(update_fields=["status", "last_error", "sent_at"])
        transaction.on_commit(functools.partial(job_send, job_id=job.pk))
    return job


def background_job(*, name: str, transient: tuple[type[Exception], ...] = ()):
    """Make ``func(**arguments)`` a Celery task run under a ``BackgroundJob`` row.

    A job that is already done (a duplicate delivery) is skipped. Exceptions listed in
    ``transient`` are retried with exponential backoff up to ``MAX_ATTEMPTS``; anything
    else fails the job at once with its error recorded for staff.
    """

    def decorator(func):
        @shared_task(name=name, bind=True, max_retries=MAX_ATTEMPTS - 1)
        @functools.wraps(func)
        def task(self, *, job_id: int, **arguments):
            with transaction.atomic():
                job = BackgroundJob.objects.select_for_update().filter(pk=job_id).first()
                if job is None or job.status in (
                    BackgroundJob.Status.DONE,
                    BackgroundJob.Status.FAILED,
                ):
                    logger.info("Job %s is gone or finished; nothing to do", job_id)
                    return None
                job.status = BackgroundJob.Status.RUNNING
                job.attempts += 1
                job.started_at = timezone.now()
                job.save(update_fields=["status", "attempts", "started_at"])
            try:
                result = func(**arguments)
            except transient as exc:
                if self.request.is_eager:
                    # No worker to try again later, and a retry now would hold the request
                    # that queued the job: it fails with its error, for staff to retry.
                    _finish(job, BackgroundJob.Status.FAILED, exc)
                    logger.warning("Job %s failed (%s); staff may retry it", job_id, exc)
                    return None
                final = job.attempts >= MAX_ATTEMPTS
                status = BackgroundJob.Status.FAILED if final else BackgroundJob.Status.QUEUED
                _finish(job, status, exc)
                if final:
                    raise
                countdown = min(RETRY_BASE_SECONDS * 2**job.attempts, 600)
                raise self.retry(exc=exc, countdown=countdown) from exc
            except Exception as exc:
                _finish(job, BackgroundJob.Status.FAILED, exc)
                raise
            _finish(job, BackgroundJob.Status.DONE)
            return result

        return task

    return decorator


def _finish(job: BackgroundJob, status: str, exc: Exception | None = None) -> None:
    job.status = status
    job.last_error = f"{type(exc).__name__}: {exc}" if exc else ""
    job.finished_at = timezone.now() if status != BackgroundJob.Status.QUEUED else None
    job.save(update_fields=["status", "last_error", "finished_at"])


class WorkerLost(Exception):  # noqa: N818 - it is what happened
    pass


def fail_lost_jobs(now=None) -> int:
    """Mark as failed the jobs still "running" long after any worker could be running
    them (a task is killed at ``CELERY_TASK_TIME_LIMIT``), so staff see them and can
    retry; tell their apps (``job_lost``)."""
    now = now or timezone.now()
    lost_before = now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT) - LOST_GRACE
    lost = BackgroundJob.objects.filter(
        status=BackgroundJob.Status.RUNNING, started_at__lt=lost_before
    )
    count = 0
    for job in lost:
        _finish(job, BackgroundJob.Status.FAILED, WorkerLost(WORKER_LOST_MESSAGE))
        job_lost.send(sender=BackgroundJob, job=job)
        count += 1
    if count:
        logger.warning("Marked %s jobs whose worker was lost as failed", count)
    return count


@shared_task(name="leadit.requeue_stale_jobs")
def requeue_stale_jobs() -> int:
    """Periodic: send again the jobs the broker never got (it was down) or has lost, and
    fail the ones whose worker vanished."""
    now = timezone.now()
    fail_lost_jobs(now)
    never_sent = Q(sent_at__isnull=True, created_at__lt=now - NEVER_SENT_GRACE)
    lost = Q(sent_at__lt=now - RESEND_AFTER)
    stale = BackgroundJob.objects.filter(never_sent | lost, status=BackgroundJob.Status.QUEUED)
    sent = sum(job_send(job_id=pk) for pk in stale.values_list("pk", flat=True))
    if sent:
        logger.info("Re-sent %s queued jobs", sent)
    return sent
