"""The faults bench's set-up, tear-down and reporting (``bench/faults.py``): one production-shaped
portal on loopback, seeded, and what each scenario found."""

import contextlib
import datetime
import os
import secrets
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

from bench.common import (
    create_database,
    drop_database,
    manage,
    production_env,
    setup_django,
)
from bench.faults_rig import (
    DB_NAME,
    MEMBER_EMAIL,
    PASSWORD,
    STAFF_EMAIL,
    VENV,
    KillingSink,
    Process,
    Recorder,
    RedisServer,
    Supervisor,
    close_db,
    free_port,
    log,
    pdf_files,
    referenced_files,
    wait_for,
)
from bench.publications_render import brief_body
from bench.publications_send import seed as seed_subscribers


class FaultBench:
    """Everything a scenario runs against; the scenarios are in ``bench/faults_scenarios.py``."""

    def __init__(self, args, tmp: Path):
        self.args, self.tmp = args, tmp
        self.media = tmp / "media"
        self.recorder = Recorder()
        self.results: list[dict] = []
        self.redis = RedisServer(free_port(), tmp)
        self.web_port, self.smtp_port = free_port(), free_port()
        self.base = f"http://127.0.0.1:{self.web_port}"
        self.env = production_env(
            DB_NAME,
            REDIS_URL=f"redis://127.0.0.1:{self.redis.port}/0",
            SECRET_KEY=secrets.token_urlsafe(45),  # 60 characters
            ALLOWED_HOSTS="127.0.0.1",
            SECURE_SSL_REDIRECT="false",
            STAFF_MFA_REQUIRED="false",
            EMAIL_URL=f"smtp://127.0.0.1:{self.smtp_port}",
            SITE_URL=self.base,
            DEFAULT_FROM_EMAIL="LeadIT Secretariat <secretariat@leadit.example>",
            VAR_DIR=str(tmp / "var"),
            MEDIA_ROOT=str(self.media),
            STATIC_ROOT=str(tmp / "static"),
        )
        worker_env = {**self.env, "LOG_LEVEL": "INFO"}
        self.gunicorn = Process(
            "gunicorn",
            [str(VENV / "gunicorn"), "leadit.wsgi:application", "--workers", "2",
             "--worker-class", "sync", "--bind", f"127.0.0.1:{self.web_port}",
             "--log-level", "warning", "--access-logfile", str(tmp / "access.log"),
             "--access-logformat", '%(t)s pid=%(p)s "%(r)s" %(s)s %(B)s %(L)ss'],
            self.env, tmp / "gunicorn.log",
        )  # fmt: skip
        self.worker = Process(
            "worker",
            [str(VENV / "celery"), "-A", "leadit", "worker", "--pool=prefork",
             "--concurrency=2", "--loglevel=INFO", "-n", f"faults-{os.getpid()}@%h"],
            worker_env, tmp / "worker.log",
        )  # fmt: skip
        self.beat = Process(
            "beat",
            [str(VENV / "celery"), "-A", "leadit", "beat", "--loglevel=INFO", "--schedule",
             str(tmp / "celerybeat-schedule")],
            worker_env, tmp / "beat.log",
        )  # fmt: skip
        self.supervisor = Supervisor([self.worker, self.beat], self.recorder)
        self.sink = KillingSink()
        self.controller = None
        self.undone: list[str] | None = None

    # --- set-up and tear-down -------------------------------------------------------------

    def setup(self) -> None:
        log(f"database {DB_NAME}, Redis on port {self.redis.port}, files under {self.tmp}")
        self.media.mkdir()
        create_database(DB_NAME)
        self.redis.start()
        manage(self.env, "migrate", "--noinput", "--skip-checks")
        manage(self.env, "seed_demo", "--allow-production", timeout=400)
        manage(self.env, "collectstatic", "--noinput", "-v", "0")
        setup_django(self.env)
        import logging

        logging.getLogger("mail.log").setLevel(logging.WARNING)
        self.seed()
        from aiosmtpd.controller import Controller

        self.controller = Controller(self.sink, hostname="127.0.0.1", port=self.smtp_port)
        self.controller.start()
        self.gunicorn.start()
        ok = wait_for(lambda: self.get_status("/healthz") == 200, 60, 0.3)
        if not ok:
            raise SystemExit("gunicorn did not answer /healthz with 200:\n" + self.gunicorn.tail())
        self.worker.start()
        self.beat.start()
        from leadit.celery import app

        if not wait_for(lambda: app.control.ping(timeout=0.5), 60, 0.1):
            raise SystemExit("the worker did not answer:\n" + self.worker.tail())
        self.worker.supervised = self.beat.supervised = True
        self.supervisor.start()
        log(f"gunicorn (2 workers) on {self.base}, worker (prefork, 2) and beat up")

    def get_status(self, path: str) -> int:
        try:
            with urllib.request.urlopen(self.base + path, timeout=5) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except OSError:
            return 0

    def seed(self) -> None:
        from allauth.account.models import EmailAddress
        from django.contrib.auth import get_user_model

        from publications.models import Brief

        User = get_user_model()
        for email, staff in ((STAFF_EMAIL, True), (MEMBER_EMAIL, False)):
            user = User.objects.create_user(username=email, email=email, password=PASSWORD,
                                            is_staff=staff, is_superuser=staff)  # fmt: skip
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        self.drafts = [
            Brief.objects.create(
                title=f"Faults bench draft {letter}: lead markets for green cement",
                slug=f"faults-draft-{letter.lower()}",
                summary="A draft published during a Redis outage.",
                body=brief_body(1),
                authors="A. Author",
                status="draft",
            )
            for letter in "AB"
        ]
        self.render_briefs = [
            Brief.objects.create(
                title=f"Faults bench render {n}", slug=f"faults-render-{n}",
                summary="Rendered while Redis stops.", body=brief_body(self.args.sections),
                authors="A. Author", status="published", published_on=datetime.date(2025, 3, 1),
            )
            for n in (1, 2, 3)
        ]  # fmt: skip
        self.large_brief = Brief.objects.create(
            title="Faults bench: a 60-page brief", slug="faults-large",
            summary="Its worker is killed.", body=brief_body(self.args.large_sections),
            authors="A. Author", status="published", published_on=datetime.date(2025, 3, 2),
        )  # fmt: skip
        seed_subscribers(self.args.subscribers)
        close_db()

    def teardown(self) -> None:
        self.supervisor.halt.set()
        for proc in (self.beat, self.worker, self.gunicorn):
            try:
                proc.stop()
            except Exception as error:  # keep stopping the others
                log(f"could not stop {proc.name}: {error}")
        self.redis.kill()
        if self.controller is not None:
            self.controller.stop()
        with contextlib.suppress(Exception):
            close_db()
        if not self.args.keep_db:
            drop_database(DB_NAME)
            log(f"dropped database {DB_NAME}")

    # --- helpers -------------------------------------------------------------------------

    def begin(self, number: int, title: str) -> None:
        self.recorder.scenario = str(number)
        print(flush=True)
        log(f"--- scenario {number}: {title}")

    def http_summary(self, number: int) -> dict:
        """The requests of scenario ``number``: 5xx answers (a 503 from ``/healthz`` while a
        service is down is its job, counted apart), requests that got no answer."""
        rows = self.recorder.of(str(number))
        expected = [r for r in rows if r["who"] == "probe" and r["status"] == 503]
        errors = [r for r in rows if r["status"] >= 500 and r not in expected]
        no_answer = [r for r in rows if r["status"] == 0]
        slowest = max(rows, key=lambda r: r["seconds"], default=None)
        return {
            "requests": len(rows),
            "5xx": len(errors),
            "5xx_urls": Counter(f"{r['method']} {r['path']} → {r['status']}" for r in errors),
            "expected_503": len(expected),
            "no_answer": len(no_answer),
            "no_answer_urls": Counter(f"{r['method']} {r['path']}" for r in no_answer),
            "slowest": slowest["seconds"] if slowest else 0.0,
            "slowest_url": f"{slowest['method']} {slowest['path']}" if slowest else "",
        }

    def worker_restarted_by_hand(self) -> None:
        with self.supervisor.lock:
            self.worker.supervised = False
            self.worker.kill()
            self.worker.start()
            self.worker.supervised = True

    def report(self, number: int, name: str, http: dict, lost: str, duplicated: str,
               recover: float | None, bars: list[tuple[str, bool]], notes: list[str]) -> None:  # fmt: skip
        result = {"number": number, "name": name, "http": http, "lost": lost,
                  "duplicated": duplicated, "recover": recover, "bars": bars, "notes": notes}  # fmt: skip
        self.results.append(result)
        urls = "; ".join(f"{k} ×{v}" for k, v in http["5xx_urls"].items()) or "none"
        print(f"  HTTP: {http['requests']} requests, {http['5xx']} × 5xx ({urls}); "
              f"{http['no_answer']} without an answer"
              + (f" ({'; '.join(f'{k} ×{v}' for k, v in http['no_answer_urls'].items())})"
                 if http["no_answer"] else "")
              + (f"; {http['expected_503']} × 503 from /healthz while Redis was away (its job)"
                 if http["expected_503"] else "")
              + f"; slowest {http['slowest']:.2f} s ({http['slowest_url']})")  # fmt: skip
        print(f"  work lost: {lost}")
        print(f"  work duplicated: {duplicated}")
        print(f"  seconds to recover: {'—' if recover is None else f'{recover:.1f}'}")
        for note in notes:
            print(f"  {note}")
        for label, ok in bars:
            print(f"  bar: {label} → {'PASS' if ok else 'FAIL'}")

    # --- at the end: what the jobs say, what the logs say ------------------------------------

    def afterwards(self) -> None:
        from leadit.jobs import job_story
        from leadit.models import BackgroundJob
        from publications.models import RenderedDocument

        lines = []
        jobs = Counter(BackgroundJob.objects.values_list("task_name", "status"))
        lines.append("jobs by task and status: " + "; ".join(
            f"{task} {status} ×{n}" for (task, status), n in sorted(jobs.items())))  # fmt: skip
        for job in BackgroundJob.objects.exclude(status="done").order_by("pk"):
            lines.append(f"  job #{job.pk} {job.task_name} {job.arguments} {job.status} "
                         f"(attempts {job.attempts}, last sent "
                         f"{job.sent_at.strftime('%H:%M:%S') if job.sent_at else 'never'} UTC): "
                         f"{job_story(job)}")  # fmt: skip
            lines.extend(f"    {line[:200]}" for line in job.history.strip().splitlines()[-4:])
        for job in BackgroundJob.objects.filter(attempts__gt=1).order_by("pk"):
            lines.append(f"  job #{job.pk} {job.task_name}: {job_story(job)}")
        drafts = RenderedDocument.objects.filter(
            publication__slug__in=[d.slug for d in self.drafts]
        )
        lines.append("PDFs of the briefs published during scenario 1's outage: " + ", ".join(
            f"{d.publication.slug} {d.status}" for d in drafts.select_related("publication")
        ))  # fmt: skip
        undone = RenderedDocument.objects.exclude(status="done").select_related("publication")
        self.undone = [f"document of {d.publication.slug} {d.status} (job #{d.job_id})"
                       for d in undone] + [
            f"job #{j.pk} {j.task_name} {j.status}"
            for j in BackgroundJob.objects.exclude(status="done").order_by("pk")
        ]  # fmt: skip
        orphans = pdf_files(self.media) - referenced_files()
        lines.append(f"PDF files under MEDIA_ROOT/publications/pdf no document references: "
                     f"{len(orphans)}")  # fmt: skip
        close_db()
        worker_log = self.worker.logfile.read_text(errors="replace")
        lines.append(
            f"worker log: 'Connection to broker lost' ×{worker_log.count('Connection to broker lost')}, "
            f"'restore_unacked' ×{worker_log.count('restore_unacked')}, "
            f"Traceback ×{worker_log.count('Traceback')}; worker/beat exits nobody asked for: "
            f"{len(self.worker.unexpected_exits) + len(self.beat.unexpected_exits)}"
        )
        self.after = lines
        print()
        log("--- afterwards")
        for line in lines:
            print("  " + line)
