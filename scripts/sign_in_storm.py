"""Twenty people signing in at once must not stall everyone else's pages: measure it.

Run by scripts/load_test.sh (with .venv-load's Python, which has `requests`) after the main run, against the same
gunicorn. Eight signed-in coordinators keep reading pages (triage queue, a family's record, the caseload home page); for
a quiet spell their pages are timed alone, then twenty other sessions post the sign-in form at the same moment
(each a full PBKDF2 check) and the same pages are timed until the last sign-in has answered. Prints p50/p95 of the
pages quiet and during the storm, and how long the sign-ins took.

    LOAD_TEST_CAST=cast.json python scripts/sign_in_storm.py http://127.0.0.1:8765
"""

import json
import math
import os
import random
import re
import sys
import threading
import time

import requests

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
READERS = 8
SIGNERS = 20
QUIET_SECONDS = 15


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1] if ordered else float("nan")


def sign_in(host: str, username: str, password: str) -> tuple[requests.Session, float]:
    session = requests.Session()
    page = session.get(f"{host}/accounts/login/")
    token = CSRF.search(page.text).group(1)
    started = time.perf_counter()
    answer = session.post(
        f"{host}/accounts/login/",
        {"username": username, "password": password, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{host}/accounts/login/"},
    )
    took = time.perf_counter() - started
    if "/accounts/login/" in answer.url or answer.status_code != 200:
        raise SystemExit(f"sign-in as {username} failed ({answer.status_code})")
    return session, took


def main(host: str) -> None:
    with open(os.environ["LOAD_TEST_CAST"], encoding="utf-8") as handle:
        cast = json.load(handle)
    password = cast["password"]
    people = [c["username"] for c in cast["coordinators"]] + [p["username"] for p in cast["practitioners"]]
    coordinator = cast["coordinators"][0]
    readers = [sign_in(host, coordinator["username"], password)[0] for n in range(READERS)]
    paths = ["/referrals/triage/", "/"] + [f"/referrals/{i}/" for i in coordinator["referral_ids"][:50]]
    timings: list[tuple[float, float]] = []  # (finished at, seconds)
    stop = threading.Event()

    def read(session: requests.Session) -> None:
        while not stop.is_set():
            path = random.choice(paths)
            started = time.perf_counter()
            answer = session.get(f"{host}{path}")
            if answer.status_code != 200:
                raise SystemExit(f"{path}: {answer.status_code}")
            timings.append((time.perf_counter(), time.perf_counter() - started))
            time.sleep(random.uniform(0.2, 0.6))

    threads = [threading.Thread(target=read, args=(s,), daemon=True) for s in readers]
    for thread in threads:
        thread.start()
    quiet_from = time.perf_counter()
    time.sleep(QUIET_SECONDS)
    storm_from = time.perf_counter()

    # The storm: each signer has fetched the form; all post at the same moment.
    forms = []
    for n in range(SIGNERS):
        session = requests.Session()
        page = session.get(f"{host}/accounts/login/")
        forms.append((session, CSRF.search(page.text).group(1), people[n % len(people)]))
    gate = threading.Barrier(SIGNERS)
    sign_in_seconds: list[float] = []

    def storm(session: requests.Session, token: str, username: str) -> None:
        gate.wait()
        started = time.perf_counter()
        answer = session.post(
            f"{host}/accounts/login/",
            {"username": username, "password": password, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{host}/accounts/login/"},
        )
        sign_in_seconds.append(time.perf_counter() - started)
        if "/accounts/login/" in answer.url:
            raise SystemExit(f"storm sign-in as {username} failed")

    storm_from = time.perf_counter()
    signers = [threading.Thread(target=storm, args=form) for form in forms]
    for thread in signers:
        thread.start()
    for thread in signers:
        thread.join()
    storm_to = time.perf_counter()
    time.sleep(1)
    stop.set()
    for thread in threads:
        thread.join()
    quiet = [s for at, s in timings if quiet_from <= at < storm_from]
    stormy = [s for at, s in timings if storm_from <= at <= storm_to]
    print("| Other people's pages | Requests | p50 ms | p95 ms |\n|---|---|---|---|")
    for label, values in (("Quiet (before)", quiet), (f"During {SIGNERS} sign-ins at once", stormy)):
        print(f"| {label} | {len(values)} | {1000 * pct(values, 50):.0f} | {1000 * pct(values, 95):.0f} |")
    print(
        f"\n{SIGNERS} sign-ins at once: all answered in {storm_to - storm_from:.1f} s; each took p50 "
        f"{pct(sign_in_seconds, 50):.1f} s, slowest {max(sign_in_seconds):.1f} s."
    )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8765")
