"""The six scenarios of the faults bench (``bench/faults.py``), each with its bars."""

import json
import time
from collections import Counter

from bench.common import database_url
from bench.faults_bench import FaultBench
from bench.faults_rig import (
    DB_NAME,
    HEALTHZ_BAR,
    MEMBER_EMAIL,
    REDONE_BAR,
    STAFF_EMAIL,
    Browser,
    PublicTraffic,
    close_db,
    log,
    pdf_files,
    referenced_files,
    sign_in,
    wait_for,
)
from bench.publications_send import make_issue


class Bench(FaultBench):
    # --- 1. Redis stopped during staff work, sign-ins and browsing --------------------------

    def scenario_1(self) -> None:
        self.begin(1, f"Redis stopped for {self.args.outage:.0f} s during staff work")
        public_paths = ["/members/", "/tracker/", "/publications/"]
        staff = self._scenario_1_warm_up(public_paths)
        publish_status: dict[str, tuple[int, float]] = {}
        logins: list[bool] = []
        with PublicTraffic(self.base, self.recorder, public_paths):
            time.sleep(1)
            back = self._scenario_1_outage(staff, publish_status, logins)
            watch = self._scenario_1_watch(back)
        self._scenario_1_report(publish_status, logins, watch)

    def _scenario_1_warm_up(self, public_paths: list[str]) -> Browser:
        """The public pages cached in Redis (the drafts' pages: 404) and staff signed in."""
        anonymous = Browser(self.base, self.recorder, "public", anonymous=True)
        for path in [*public_paths, *(f"/publications/{d.slug}/" for d in self.drafts)] * 2:
            anonymous.get(path)
        staff, ok, _seconds = sign_in(self.base, self.recorder, STAFF_EMAIL, "login")
        if not ok:
            raise SystemExit("the staff sign-in failed before any fault:\n" + self.gunicorn.tail())
        staff.who = "staff"
        staff.get("/admin/publications/brief/")
        return staff

    def _scenario_1_outage(self, staff, publish_status: dict, logins: list[bool]) -> float:
        """Redis stopped while staff publish the two drafts, people sign in and staff browse
        the admin, on a timetable; returns when (``time.monotonic()``) Redis was back."""

        def publish(brief) -> None:
            status, _html, _location, seconds = staff.post_form(
                "/admin/publications/brief/",
                {"action": "publish", "_selected_action": [brief.pk], "index": "0"},
            )
            publish_status[brief.slug] = (status, seconds)
            log(f"  staff publish {brief.slug}: {status} in {seconds:.2f} s")

        def login(email: str) -> None:
            _browser, ok, seconds = sign_in(self.base, self.recorder, email, "login")
            log(f"  sign-in {email}: {'ok' if ok else 'FAILED'} in {seconds:.2f} s")
            logins.append(ok)

        outage = self.args.outage
        plan = [
            (1.0, lambda: publish(self.drafts[0])),
            (3.0, lambda: login(STAFF_EMAIL)),
            (5.0, lambda: login(MEMBER_EMAIL)),
            (7.0, lambda: staff.get("/admin/members/member/")),
            (outage - 6, lambda: publish(self.drafts[1])),
            (outage - 4, lambda: login(STAFF_EMAIL)),
            (outage - 2, lambda: staff.get("/admin/")),
        ]
        self.redis.stop()
        stopped = time.monotonic()
        log("  Redis stopped (SIGTERM; its data saved just before)")
        for offset, action in plan:
            time.sleep(max(0.0, stopped + offset - time.monotonic()))
            action()
        time.sleep(max(0.0, stopped + outage - time.monotonic()))
        self.redis.start()
        back = time.monotonic()
        log(f"  Redis started again after {back - stopped:.1f} s")
        return back

    def _scenario_1_watch(self, back: float) -> dict:
        """Straight away, as fast as a visitor can, from both web processes: is any answer a
        page cached before the outage (stale)? And when is /healthz 200?"""
        watcher = Browser(self.base, self.recorder, "public", anonymous=True)
        probe = Browser(self.base, self.recorder, "probe", anonymous=True)
        stale, fresh_since, checks, health_at = 0, None, 0, None
        stale_seen: list[str] = []
        while time.monotonic() - back < 8 or (health_at is None and time.monotonic() - back < 30):
            for brief in self.drafts:
                status, html, _l, _s = watcher.get("/publications/")
                detail, _h, _l, _s = watcher.get(f"/publications/{brief.slug}/")
                checks += 1
                if status != 200 or brief.title not in html or detail != 200:
                    stale += 1
                    fresh_since = None
                    stale_seen.append(
                        f"+{time.monotonic() - back:.2f} s: /publications/ {status}"
                        f"{'' if brief.title in html else ' without ' + brief.slug}, "
                        f"/publications/{brief.slug}/ {detail}"
                    )
                elif fresh_since is None:
                    fresh_since = time.monotonic() - back
            if health_at is None and probe.get("/healthz", timeout=5)[0] == 200:
                health_at = time.monotonic() - back
            time.sleep(0.05)
        recovered = (max(fresh_since, health_at)
                     if fresh_since is not None and health_at is not None else None)  # fmt: skip
        return {"stale": stale, "checks": checks, "health_at": health_at,
                "recovered": recovered, "stale_seen": stale_seen}  # fmt: skip

    def _scenario_1_report(self, publish_status: dict, logins: list[bool], watch: dict) -> None:
        from publications.models import Brief

        published = Brief.objects.filter(
            pk__in=[d.pk for d in self.drafts], status="published"
        ).count()
        close_db()
        http = self.http_summary(1)
        staff_500s = [r for r in self.recorder.of("1")
                      if r["who"] in ("staff", "login") and r["status"] >= 500]  # fmt: skip
        lost = f"{len(self.drafts) - published} of {len(self.drafts)} briefs published in the admin are not published"
        health_at = watch["health_at"]
        self.report(
            1, "Redis stopped: staff, sign-ins, browsing", http, lost, "—",
            watch["recovered"],
            [
                ("0 × 500 on staff actions and logins", not staff_500s
                 and all(s == 302 for s, _ in publish_status.values()) and all(logins)),
                ("the published briefs shown once Redis is back (0 stale answers)",
                 watch["stale"] == 0 and published == len(self.drafts)),
            ],
            [
                f"staff publishes: {publish_status}; sign-ins ok {sum(logins)}/{len(logins)}",
                f"after Redis came back: {watch['stale']} stale of {watch['checks']} checks of "
                f"/publications/ and the briefs' pages in 8 s; /healthz 200 after "
                f"{'—' if health_at is None else f'{health_at:.1f}'} s",
                *(f"stale answer {line}" for line in watch["stale_seen"][:12]),
            ],
        )  # fmt: skip

    # --- 2. Redis stopped while 3 renders run --------------------------------------------

    def scenario_2(self) -> None:
        from django.db import transaction

        from leadit.models import BackgroundJob
        from publications.documents import document_request_render
        from publications.models import RenderedDocument

        self.begin(2, "Redis stopped while 3 PDF renders run")
        docs = []
        with transaction.atomic():
            for brief in self.render_briefs:
                docs.append(document_request_render(publication=brief))
        ids = [d.pk for d in docs]

        def running() -> int:
            return RenderedDocument.objects.filter(pk__in=ids, status="running").count()

        with PublicTraffic(self.base, self.recorder, ["/publications/", "/members/"], 0.5):
            if not wait_for(lambda: running() >= 2, 60, 0.05):
                log("  !! 2 renders never ran at once; stopping Redis anyway")
            self.redis.stop()
            stopped = time.monotonic()
            log(f"  Redis stopped with {running()} renders running")
            # Down until the running renders have finished (+2 s), at least 10 s.
            wait_for(lambda: running() == 0, 60, 0.2)
            finished_during = RenderedDocument.objects.filter(
                pk__in=ids, finished_at__isnull=False
            ).count()
            time.sleep(max(2.0, stopped + 10 - time.monotonic()))
            self.redis.start()
            back = time.monotonic()
            log(f"  Redis started again after {back - stopped:.1f} s; "
                f"{finished_during} render(s) finished while it was down")  # fmt: skip

            def all_final() -> bool:
                rows = list(RenderedDocument.objects.filter(pk__in=ids))
                jobs = BackgroundJob.objects.filter(pk__in=[r.job_id for r in rows])
                return all(r.status in ("done", "failed") for r in rows) and all(
                    j.status in ("done", "failed") for j in jobs
                )

            settled = wait_for(all_final, 120, 0.3)
            recovered = time.monotonic() - back if settled else None
        rows = list(RenderedDocument.objects.filter(pk__in=ids).order_by("pk"))
        done = [
            r for r in rows if r.status == "done" and r.file and (self.media / r.file.name).exists()
        ]
        on_disk = pdf_files(self.media)
        referenced = referenced_files()
        orphans = on_disk - referenced
        missing = {r.file.name for r in rows if r.file} - on_disk
        jobs = Counter(
            BackgroundJob.objects.filter(pk__in=[r.job_id for r in rows]).values_list(
                "status", flat=True
            )
        )
        attempts = [r.attempts for r in rows]
        close_db()
        failed = [f"#{r.pk} {r.status}: {r.last_error[:200]}" for r in rows if r not in done]
        self.report(
            2, "Redis stopped during 3 renders", self.http_summary(2),
            f"{len(rows) - len(done)} of {len(rows)} renders not done; {len(orphans)} orphan "
            f"file(s) ({len(on_disk)} files on disk, {len(referenced & on_disk)} referenced); "
            f"{len(missing)} referenced file(s) missing",
            f"render attempts per document {attempts}",
            recovered,
            [("0 finished PDFs discarded (all done, files referenced, 0 orphans)",
              len(done) == len(rows) and not orphans and not missing)],
            [f"{finished_during} render(s) finished during the outage; jobs {dict(jobs)}",
             *failed],
        )  # fmt: skip

    # --- 3. Redis hung ----------------------------------------------------------------------

    def scenario_3(self) -> None:
        self.begin(3, "Redis hung (SIGSTOP)")
        probe = Browser(self.base, self.recorder, "probe", anonymous=True)
        before = probe.get("/healthz")[0]
        with PublicTraffic(self.base, self.recorder, ["/members/", "/tracker/"], 0.3):
            self.redis.pause()
            paused = time.monotonic()
            log("  Redis SIGSTOPped")
            time.sleep(1)
            status, body, _l, seconds = probe.get("/healthz")
            try:
                checks = json.loads(body).get("checks", {})
            except ValueError:
                checks = {"body": body[:200]}
            log(f"  /healthz: {status} in {seconds:.2f} s: {checks}")
            _b, login_ok, login_seconds = sign_in(self.base, self.recorder, MEMBER_EMAIL, "login")
            log(f"  sign-in while hung: {'ok' if login_ok else 'FAILED'} ({login_seconds:.2f} s)")
            second = probe.get("/healthz")
            time.sleep(max(0.0, paused + 8 - time.monotonic()))
            self.redis.resume()
            resumed = time.monotonic()
            log("  Redis SIGCONTed")
            healthy = wait_for(lambda: probe.get("/healthz", timeout=10)[0] == 200, 30, 0.2)
            recovered = time.monotonic() - resumed if healthy else None
        named = all(checks.get(k) in ("error", "timeout") for k in ("cache", "broker"))
        self.report(
            3, "Redis hung: /healthz", self.http_summary(3), "—", "—", recovered,
            [
                (f"/healthz 503 naming cache and broker within {HEALTHZ_BAR:.0f} s",
                 status == 503 and named and seconds <= HEALTHZ_BAR
                 and second[0] == 503 and second[3] <= HEALTHZ_BAR),
                ("/healthz 200 after SIGCONT", before == 200 and healthy is not None),
                ("sign-in while hung: not a 500", login_ok),
            ],
            [f"/healthz before: {before}; hung: {status} in {seconds:.2f} s {checks}, again "
             f"{second[0]} in {second[3]:.2f} s; sign-in {login_seconds:.2f} s"],
        )  # fmt: skip

    # --- 4. PostgreSQL backends terminated ----------------------------------------------------

    def scenario_4(self) -> None:
        import psycopg

        self.begin(4, "pg_terminate_backend of every backend of the portal")
        warm = Browser(self.base, self.recorder, "warm-up", anonymous=True)
        for n in range(8):  # both web processes hold pooled connections
            warm.get(f"/members/?warm={n}")
        self.recorder.rows = [r for r in self.recorder.rows if r["who"] != "warm-up"]
        close_db()
        with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
            terminated = conn.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                [DB_NAME],
            ).fetchone()[0]
        killed_at = time.monotonic()
        log(f"  terminated {terminated} backends")
        visitor = Browser(self.base, self.recorder, "public", anonymous=True)
        statuses, first_ok = [], None
        for n in range(30):
            statuses.append(visitor.get(f"/members/?probe={n}")[0])
            if statuses[-1] == 200 and first_ok is None:
                first_ok = time.monotonic() - killed_at
        health = visitor.get("/healthz")[0]
        _b, login_ok, _seconds = sign_in(self.base, self.recorder, STAFF_EMAIL, "login")
        seconds = time.monotonic() - killed_at
        failed = sum(1 for s in statuses if s != 200)
        took = sorted(r["seconds"] for r in self.recorder.of("4") if "probe=" in r["path"])
        first_three = [r["seconds"] for r in self.recorder.of("4") if "probe=" in r["path"]][:3]
        self.report(
            4, "PostgreSQL backends terminated", self.http_summary(4),
            f"{failed} of 30 /members/ requests failed", "—",
            first_ok,
            [("0 failed requests after the terminate (30 × /members/, /healthz, staff sign-in)",
              failed == 0 and health == 200 and login_ok)],
            [f"{terminated} backends terminated; /members/ statuses {dict(Counter(statuses))}; "
             f"/healthz {health}; staff sign-in {'ok' if login_ok else 'FAILED'}; "
             f"all in {seconds:.1f} s; the first three took "
             f"{', '.join(f'{t:.2f}' for t in first_three)} s, median {took[len(took) // 2]:.2f} s"],
        )  # fmt: skip

    # --- 5. The worker killed mid-render --------------------------------------------------------

    def scenario_5(self) -> None:
        from django.db import transaction

        from leadit.jobs import job_story
        from leadit.models import BackgroundJob
        from publications.documents import document_request_render
        from publications.models import RenderedDocument

        self.begin(5, "worker SIGKILLed 4 s into a 60-page render, started again")
        with transaction.atomic():
            document = document_request_render(publication=self.large_brief)

        def started():
            row = RenderedDocument.objects.filter(pk=document.pk).values("status", "started_at")[0]
            return row if row["status"] == "running" and row["started_at"] else None

        with PublicTraffic(self.base, self.recorder, ["/publications/"], 1.0):
            row = wait_for(started, 120, 0.05)
            if row is None:
                raise SystemExit("the large render never started:\n" + self.worker.tail())
            time.sleep(max(0.0, row["started_at"].timestamp() + 4 - time.time()))
            status_at_kill = RenderedDocument.objects.get(pk=document.pk).status
            self.worker_restarted_by_hand()
            killed_at = time.monotonic()
            log(f"  worker SIGKILLed 4 s into the render (document {status_at_kill}); "
                "started again")  # fmt: skip

            def final():
                d = RenderedDocument.objects.get(pk=document.pk)
                return d if d.status in ("done", "failed") else None

            final_row = wait_for(final, REDONE_BAR + 30, 0.3)
            redone = time.monotonic() - killed_at if final_row else None
            pdf = Browser(self.base, self.recorder, "public", anonymous=True)
            pdf_status, pdf_body, _l, _s = pdf.get(f"/publications/{self.large_brief.slug}.pdf")
        document.refresh_from_db()
        job = BackgroundJob.objects.get(pk=document.job_id)
        story = job_story(job)
        close_db()
        ok = (status_at_kill == "running" and document.status == "done" and redone is not None
              and redone <= REDONE_BAR and pdf_status == 200 and pdf_body.startswith("%PDF"))  # fmt: skip
        self.report(
            5, "worker killed mid-render", self.http_summary(5),
            "0" if document.status == "done" else f"the render ({document.status}: {document.last_error[:200]})",
            f"job attempts {job.attempts}",
            redone,
            [(f"killed render redone within {REDONE_BAR:.0f} s, PDF 200", ok)],
            [f"{document.page_count} pages, render {document.render_seconds} s; document "
             f"{document.status}; job {job.status}: {story}; public PDF {pdf_status}",
             f"job history: {' | '.join(job.history.strip().splitlines()[-4:]) if job.history else ''}"],
        )  # fmt: skip

    # --- 6. Newsletter send with the worker killed --------------------------------------------

    def scenario_6(self) -> None:
        from leadit.models import BackgroundJob
        from publications.models import Delivery, NewsletterIssue
        from publications.sending import issue_send, issue_send_progress

        self.begin(
            6, f"newsletter to {self.args.subscribers} subscribers, worker SIGKILLed mid-send"
        )
        issue = make_issue(97)
        key = issue.slug
        kill_after = self.args.subscribers * 3 // 10 + 7
        self.sink.watch(key, kill_after)
        started = time.monotonic()
        traffic = PublicTraffic(self.base, self.recorder, ["/publications/", "/members/"], 0.5)
        with traffic:
            with self.supervisor.lock:
                self.worker.supervised = False
            self.sink.victim = self.worker.process.pid  # its own session: pgid == pid
            issue_send(issue=issue)
            reached = self.sink.reached.wait(timeout=120)
            self.sink.victim = None
            self.worker.kill()  # already dead if the mark was reached
            killed_at = time.monotonic()
            with self.supervisor.lock:
                self.worker.start()
                self.worker.supervised = True
            log(f"  worker SIGKILLed at {self.sink.killed_at_count} messages "
                f"({killed_at - started:.1f} s in){'' if reached else ' (never reached the mark)'}"
                "; started again")  # fmt: skip
            progress = wait_for(self._send_finished(issue), 150, 0.2)
            recovered = time.monotonic() - killed_at if progress else None
        time.sleep(0.5)
        progress = issue_send_progress(issue)
        with self.sink.lock:
            per_recipient = {r: n for (k, r), n in self.sink.counts.items() if k == key}
        duplicates = sum(n - 1 for n in per_recipient.values() if n > 1)
        sent = set(Delivery.objects.filter(issue=issue, status="sent")
                   .values_list("subscriber__email", flat=True))  # fmt: skip
        unconfirmed = list(Delivery.objects.filter(issue=issue, status="unconfirmed")
                           .values_list("subscriber__email", flat=True))  # fmt: skip
        not_received = len([e for e in sent if not per_recipient.get(e)])
        jobs = Counter(BackgroundJob.objects.filter(
            task_name="publications.send_issue", arguments__issue_id=issue.pk
        ).values_list("status", flat=True))  # fmt: skip
        issue = NewsletterIssue.objects.get(pk=issue.pk)
        close_db()
        lost = progress["pending"] + progress["sending"] + not_received
        self.report(
            6, "newsletter, worker killed", self.http_summary(6),
            f"{lost} (not sent: {progress['pending'] + progress['sending']}, marked sent but "
            f"not received: {not_received}); {len(unconfirmed)} unconfirmed "
            f"({sum(1 for e in unconfirmed if per_recipient.get(e))} of them arrived; the one in "
            "flight at the kill is never sent twice, so not again unless staff resend it)",
            f"{duplicates} duplicate e-mails",
            recovered,
            [("0 duplicate e-mails", duplicates == 0 and progress["total"] > 0),
             ("every delivery final, nothing lost", lost == 0 and recovered is not None)],
            [f"{sum(per_recipient.values())} messages to {len(per_recipient)} recipients; "
             f"progress {progress}; send jobs {dict(jobs)}; "
             f"send finished: {issue.send_finished_at is not None}"],
        )  # fmt: skip

    @staticmethod
    def _send_finished(issue):
        from publications.sending import issue_send_progress

        def finished():
            progress = issue_send_progress(issue)
            return progress if progress["pending"] == progress["sending"] == 0 else None

        return finished
