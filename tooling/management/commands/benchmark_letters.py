"""Render many letters through the real task path and compare with WeasyPrint alone (the floor).

A real worker when REDIS_URL is set (start `celery -A vig_service worker` first); in-process (eager) otherwise.
It writes synthetic families through the actions, so it refuses unless in demo mode on a throw-away database.
"""

import statistics
import time
from datetime import date, timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Service, User
from letters import actions, rendering
from letters.models import Letter
from letters.states import LetterStatus
from referrals import actions as referral_actions
from tooling.demo import configure_seed_services, create_demo_staff

THROWAWAY_SUFFIXES = ("_scale", "_bench")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


class Command(BaseCommand):
    help = "Render --count letters through the render task and report speed beside WeasyPrint alone."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=200)
        parser.add_argument("--workers", type=int, default=0, help="Worker processes (default: ask the workers).")
        parser.add_argument("--i-know-this-is-throwaway", action="store_true", dest="throwaway")

    def handle(self, *args, **options):
        self.refuse_unless_throwaway(options["throwaway"])
        count = options["count"]
        letters = self.prepare(count)
        eager = settings.CELERY_TASK_ALWAYS_EAGER
        processes = 1 if eager else (options["workers"] or self.worker_processes())
        self.stdout.write(f"Rendering {count} letters ({'in-process' if eager else f'{processes} worker processes'})")
        rendering.warm_up()
        # Approved in one transaction: every render task is sent at its commit, the clock starts just before.
        with transaction.atomic():
            for letter in letters:
                actions.approve_letter(letter=letter, by=self.coordinator)
            started = time.perf_counter()
        ids = [letter.pk for letter in letters]
        self.wait_until_done(ids)
        wall = time.perf_counter() - started
        done = list(Letter.objects.filter(pk__in=ids).select_related("referral"))
        failed = [x for x in done if x.status != LetterStatus.READY]
        if failed:
            raise CommandError(f"{len(failed)} letters did not render; first error: {failed[0].error}")
        ours = [x.render_seconds for x in done]
        floor = [self.weasyprint_alone(x) for x in done]
        self.report(count, processes, wall, ours, floor)

    def refuse_unless_throwaway(self, throwaway: bool) -> None:
        if not settings.DEMO_MODE:
            raise CommandError("benchmark_letters runs only in demo mode (DEMO_MODE=1): it writes synthetic families.")
        name = str(connection.settings_dict["NAME"])
        if not name.endswith(THROWAWAY_SUFFIXES) and not throwaway:
            raise CommandError(
                f"The database {name!r} does not look throw-away: use one whose name ends in _scale or _bench, "
                "or pass --i-know-this-is-throwaway."
            )

    def prepare(self, count: int) -> list[Letter]:
        """Declined synthetic families (999 NHS numbers) with a drafted decline letter each, through the actions."""
        configure_seed_services()
        if not User.objects.filter(username="coordinator").exists():
            create_demo_staff()
        self.coordinator = User.objects.get(username="coordinator")
        service = Service.objects.get(slug="cpft-perinatal-vig")
        site, source = service.sites.order_by("name").last(), service.referral_sources.order_by("name").first()
        letters = []
        for n in range(count):
            referral = referral_actions.create_referral(
                service=service,
                data=self.referral_data(site, source, n),
                parents=[self.parent(n)],
                other_children=[],
                by=self.coordinator,
                confirmed_not_duplicate=True,
            )
            referral_actions.triage_referral(
                referral=referral, decision="decline", reason="Outside the service's area.", by=self.coordinator
            )
            letters.append(actions.draft_letter(referral=referral, kind="decline", by=self.coordinator))
        return letters

    def referral_data(self, site, source, n: int) -> dict:
        today = timezone.localdate()
        return {
            "site": site,
            "date_received": today - timedelta(days=3),
            "referral_source": source,
            "referrer_name": "Helen Visitor",
            "referrer_role": "Health visitor",
            "referrer_organisation": "Health visiting team",
            "referrer_contact": "01234 000000",
            "child_unborn": False,
            "child_name": f"Benchmark Child {n}",
            "child_date_of_birth": today - timedelta(days=60),
            "expected_delivery_date": None,
            "child_nhs_number": "",
            "child_send": False,
            "child_send_details": "",
            "gp_practice": "Test Surgery",
            "named_health_visitor": "Helen Visitor",
            "named_health_visitor_contact": "01234 000000",
            "concerns": ["bonding"],
            "reason_details": "",
            "attachment_concerns": "",
            "mental_health_concerns": "",
            "hoped_for_change": "",
            "change_agreed_with_parent": "unknown",
            "impact_on_child": "",
            "parent_consented_to_referral": True,
            "prfq_completed": False,
            "question_answers": {},
            "safeguarding_status": "none_known",
            "risks_to_staff": "",
            "confidential_address": False,
            "bereavement": False,
        }

    def parent(self, n: int) -> dict:
        return {
            "name": f"Benchmark Parent {n}",
            "relationship": "Mother",
            "date_of_birth": date(1992, 5, 17),
            "nhs_number": "",
            "address": "1 Test Street, Peterborough",
            "postcode": "PE1 1AA",
            "phone": "",
            "preferred_language": "English",
            "interpreter_needed": False,
            "communication_format": "",
            "communication_support": "",
            "ethnic_category": "Z",
        }

    def worker_processes(self) -> int:
        from celery import current_app

        stats = current_app.control.inspect(timeout=3).stats() or {}
        total = sum(int(s.get("pool", {}).get("max-concurrency", 0)) for s in stats.values())
        if not total:
            raise CommandError("No Celery worker answered: start one (make worker) or pass --workers.")
        return total

    def wait_until_done(self, ids: list[int], timeout: float = 1800) -> None:
        deadline = time.monotonic() + timeout
        waiting = Letter.objects.filter(pk__in=ids, status__in=[LetterStatus.QUEUED, LetterStatus.RENDERING])
        while waiting.exists():
            if time.monotonic() > deadline:
                raise CommandError("Timed out waiting for the workers.")
            time.sleep(0.2)

    def weasyprint_alone(self, letter: Letter) -> float:
        html = rendering.letter_html(letter)
        started = time.perf_counter()
        rendering.html_to_pdf(html)
        return time.perf_counter() - started

    def report(self, count: int, processes: int, wall: float, ours: list[float], floor: list[float]) -> None:
        mean_ours, mean_floor = statistics.mean(ours), statistics.mean(floor)
        overhead = (mean_ours - mean_floor) / mean_floor * 100
        rate = count / wall / processes
        self.stdout.write(f"Letters per second per worker process: {rate:.1f} ({count} letters in {wall:.1f} s)")
        self.stdout.write(
            f"Per letter, task path:      p50 {percentile(ours, 0.5) * 1000:.0f} ms, "
            f"p95 {percentile(ours, 0.95) * 1000:.0f} ms, mean {mean_ours * 1000:.0f} ms"
        )
        self.stdout.write(
            f"Per letter, WeasyPrint alone: p50 {percentile(floor, 0.5) * 1000:.0f} ms, "
            f"p95 {percentile(floor, 0.95) * 1000:.0f} ms, mean {mean_floor * 1000:.0f} ms"
        )
        self.stdout.write(f"Our overhead over the floor: {overhead:+.1f}% (aim: at most 15%; p95 aim: at most 1 s)")
