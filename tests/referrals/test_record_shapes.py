"""A family's record is read with SQL compiled once per shape of the reader's access (ADR 0032): who may see which
family must still follow each person's memberships and the family's allocations, request after request, in one
process, as people's access changes. Each test asks in turn, so a compiled read is reused where it may be."""

from django.test import Client
from django.urls import reverse

from accounts.models import Membership, Role
from referrals import actions
from tests.conftest import verify_session
from tests.referrals.allocation_helpers import allocated_referral
from tests.referrals.helpers import make_referral


def _client(user) -> Client:
    client = Client()
    verify_session(client, user)
    return client


def _status(client, referral) -> int:
    return client.get(reverse("referrals:detail", args=[referral.pk])).status_code


def test_site_limits_are_followed_in_turn_and_when_they_change(
    site_coordinator, coordinator, service, peterborough, cambridgeshire
):
    here = make_referral(service, coordinator, site=peterborough)
    there = make_referral(service, coordinator, site=cambridgeshire)
    limited, everywhere = _client(site_coordinator), _client(coordinator)
    for _ in range(2):
        assert (_status(limited, here), _status(limited, there)) == (200, 404)
        assert (_status(everywhere, here), _status(everywhere, there)) == (200, 200)
    membership = Membership.objects.get(user=site_coordinator, service=service)
    membership.sites.add(cambridgeshire)
    assert (_status(limited, here), _status(limited, there)) == (200, 200)
    membership.sites.set([cambridgeshire])
    assert (_status(limited, here), _status(limited, there)) == (404, 200)
    Membership.objects.filter(pk=membership.pk).update(is_active=False)
    assert (_status(limited, here), _status(limited, there)) == (404, 404)


def test_a_practitioner_sees_the_families_they_hold_and_not_once_reallocated(
    coordinator, practitioner, other_practitioner, service
):
    mine = allocated_referral(service, coordinator, practitioner)
    theirs = allocated_referral(service, coordinator, other_practitioner)
    me, them = _client(practitioner), _client(other_practitioner)
    for _ in range(2):
        assert (_status(me, mine), _status(me, theirs)) == (200, 404)
        assert (_status(them, mine), _status(them, theirs)) == (404, 200)
    actions.reallocate_referral(referral=mine, practitioner=other_practitioner, reason="Moved teams", by=coordinator)
    assert (_status(me, mine), _status(them, mine)) == (404, 200)


def test_someone_with_no_access_and_another_service_get_nothing(coordinator, other_coordinator, nobody, service):
    family = make_referral(service, coordinator)
    assert _status(_client(nobody), family) == 404
    assert _status(_client(other_coordinator), family) == 404
    assert _status(_client(coordinator), family) == 200
    Membership.objects.create(user=nobody, service=service, role=Role.COORDINATOR)
    assert _status(_client(nobody), family) == 200


def _api_ids(client, **params) -> list[int]:
    body = client.get(reverse("api:referral-list"), params).json()
    return [row["id"] for row in body["results"]]


def test_the_api_list_s_first_page_follows_each_reader_s_access_and_filters(
    site_coordinator, coordinator, practitioner, service, peterborough, cambridgeshire
):
    """The list's first page is compiled once per shape (`referrals.reads.lists`): each reader, each filter and
    each value, asked in turn, gets exactly the rows the list's queryset gives them."""
    from referrals.models import Referral

    here = [make_referral(service, coordinator, site=peterborough) for _ in range(3)]
    there = [make_referral(service, coordinator, site=cambridgeshire) for _ in range(2)]
    actions.triage_referral(referral=there[0], decision="accept", override_reason="Agreed in team", by=coordinator)
    mine = allocated_referral(service, coordinator, practitioner, site=peterborough)
    readers = {user: _client(user) for user in (coordinator, site_coordinator, practitioner)}
    cases = [
        {},
        {"limit": 2},
        {"status": "received"},
        {"status": "accepted"},
        {"site": peterborough.pk},
        {"site": cambridgeshire.pk},
        {"service": service.slug},
        {"service": "no-such-service"},
        {"status": "received", "site": cambridgeshire.pk},
    ]
    for _ in range(2):
        for user, client in readers.items():
            for case in cases:
                rows = Referral.objects.visible_to(user)
                for name, lookup in (("status", "status"), ("site", "site_id"), ("service", "service__slug")):
                    if name in case:
                        rows = rows.filter(**{lookup: case[name]})
                expected = list(
                    rows.order_by("date_received", "pk").values_list("pk", flat=True)[: case.get("limit", 50)]
                )
                assert _api_ids(client, **case) == expected, (user.username, case)
    assert set(_api_ids(readers[site_coordinator])) == {r.pk for r in here} | {mine.pk}
    assert _api_ids(readers[practitioner]) == [mine.pk]
    Membership.objects.get(user=site_coordinator, service=service).sites.set([cambridgeshire])
    assert set(_api_ids(readers[site_coordinator])) == {r.pk for r in there}


def _queue_ids(client, **params) -> list[int]:
    return _queue(client, **params)[0]


def _queue(client, **params) -> tuple[list[int], int]:
    """The queue page's rows and its count."""
    response = client.get(reverse("referrals:triage_queue"), params)
    assert response.status_code == 200
    page = response.context["page_obj"]
    return [r.pk for r in page], page.paginator.count


def test_the_triage_queue_s_first_page_follows_each_reader_s_access_and_filters(
    site_coordinator, coordinator, service, peterborough, cambridgeshire
):
    """The queue's first page and its count are compiled once per shape (`referrals.reads.lists`): each reader
    and each filter, asked in turn and again, gets exactly the rows and the count the queue's queryset gives them;
    a later page and a filter that is not valid are read as before; a change of sites shows at once."""
    from accounts.permissions import Perm
    from referrals.models import Referral

    sources = list(service.referral_sources.order_by("pk")[:2])
    here = [make_referral(service, coordinator, site=peterborough, referral_source=sources[i % 2]) for i in range(4)]
    there = [make_referral(service, coordinator, site=cambridgeshire, referral_source=sources[0]) for _ in range(2)]
    actions.triage_referral(referral=here[0], decision="accept", override_reason="Agreed in team", by=coordinator)
    readers = {user: _client(user) for user in (coordinator, site_coordinator)}
    cases = [
        {},
        {"site": peterborough.pk},
        {"site": cambridgeshire.pk},
        {"source": sources[1].pk},
        {"site": cambridgeshire.pk, "source": sources[0].pk},
        {"site": "not-a-site"},  # not valid: the whole queue, as before
        {"page": 1},
        {"page": 2},
    ]
    for _ in range(2):
        for user, client in readers.items():
            for case in cases:
                rows = Referral.objects.visible_to(user, Perm.TRIAGE_QUEUE_VIEW).awaiting_triage()
                for name, lookup in (("site", "site_id"), ("source", "referral_source_id")):
                    if isinstance(case.get(name), int):
                        rows = rows.filter(**{lookup: case[name]})
                ordered = list(rows.order_by("date_received", "pk").values_list("pk", flat=True))
                # Past the last page: the last page (here the only one), as before.
                expected = (ordered[25:50] or ordered[:25]) if case.get("page") == 2 else ordered[:25]
                assert _queue(client, **case) == (expected, len(ordered)), (user.username, case)
    assert set(_queue_ids(readers[site_coordinator])) == {r.pk for r in here[1:]}
    assert set(_queue_ids(readers[coordinator])) == {r.pk for r in here[1:] + there}
    Membership.objects.get(user=site_coordinator, service=service).sites.set([cambridgeshire])
    assert _queue(readers[site_coordinator]) == ([r.pk for r in there], len(there))


def test_a_visit_s_pages_follow_who_holds_the_family_request_after_request(
    coordinator, practitioner, other_practitioner, service
):
    """The visit form loads its visit with SQL compiled once per shape (`cycles.reads.visits.visible_visits_by_pk`):
    each practitioner, in turn, opens only their own family's visit, and not once the family is reallocated."""
    from tests.cycles.helpers_visits import book

    mine = allocated_referral(service, coordinator, practitioner)
    theirs = allocated_referral(service, coordinator, other_practitioner)
    my_visit, their_visit = book(mine, practitioner), book(theirs, other_practitioner)
    me, them = _client(practitioner), _client(other_practitioner)

    def opens(client, visit) -> int:
        return client.get(reverse("cycles:visit_record", args=[visit.pk])).status_code

    for _ in range(2):
        assert (opens(me, my_visit), opens(me, their_visit)) == (200, 404)
        assert (opens(them, my_visit), opens(them, their_visit)) == (404, 200)
    actions.reallocate_referral(referral=mine, practitioner=other_practitioner, reason="Moved teams", by=coordinator)
    assert (opens(me, my_visit), opens(them, my_visit)) == (404, 200)


def test_the_record_lists_its_own_service_s_questions_and_answers(
    coordinator, other_coordinator, service, other_service
):
    """The record reads the service's referral questions with SQL compiled once (`referrals.reads.questions`): each
    family's record shows its own service's questions, in their order, with its answers, and never another's."""
    from accounts.models import ReferralQuestion

    ReferralQuestion.objects.create(service=service, key="second", text="Asked second", order=2)
    ReferralQuestion.objects.create(service=service, key="first", text="Asked first", order=1)
    ReferralQuestion.objects.create(service=other_service, key="theirs", text="Another service's question", order=1)
    mine = make_referral(service, coordinator, question_answers={"first": "Answer one", "second": "Answer two"})
    theirs = make_referral(other_service, other_coordinator, question_answers={"theirs": "Their answer"})
    for _ in range(2):
        page = _client(coordinator).get(reverse("referrals:detail", args=[mine.pk])).content.decode()
        assert page.index("Asked first") < page.index("Answer one") < page.index("Asked second")
        assert "Answer two" in page and "Another service" not in page
        page = _client(other_coordinator).get(reverse("referrals:detail", args=[theirs.pk])).content.decode()
        assert "Their answer" in page and "Asked first" not in page


def test_the_home_page_s_counts_follow_each_coordinator_s_access_request_after_request(
    coordinator, other_coordinator, service, other_service
):
    """A coordinator's home counts (`referrals.reads.lists.queue_counts`, compiled once per shape of their access):
    each coordinator in turn counts their own service's referrals only, and a change shows on the next page."""
    from tests.referrals.helpers import parent

    make_referral(service, coordinator)
    asked = make_referral(service, coordinator, parents=[parent(name="Ann Other", nhs_number="9990000026")])
    make_referral(other_service, other_coordinator)

    def summary(user) -> str:
        page = _client(user).get(reverse("home")).content.decode()
        return page.split('id="coordinator-summary"', 1)[1].split("</ul>", 1)[0]

    for _ in range(2):
        assert "2 referrals in the triage queue" in summary(coordinator)
        assert "1 referral in the triage queue" in summary(other_coordinator)
        assert "awaiting information" not in summary(coordinator)
    actions.triage_referral(referral=asked, decision="request_information", by=coordinator, missing_information="GP")
    assert "(1 of them awaiting information)" in summary(coordinator)
    assert "0 accepted" in summary(coordinator) and "0 accepted" in summary(other_coordinator)


def _found(client, **terms) -> list[int]:
    response = client.get(reverse("referrals:search"), terms)
    assert response.status_code == 200
    return [r.pk for r in response.context["results"]]


def test_the_search_page_follows_each_reader_s_access_and_terms_request_after_request(
    site_coordinator, coordinator, manager, practitioner, service, peterborough, cambridgeshire
):
    """The search page's results are compiled once per shape of the search (`referrals.reads.search`): each reader
    and each set of terms, asked in turn and again, gets exactly the rows `Referral.search` gives them, with LIKE's
    wildcards typed as plain characters, a confidential address never matched by postcode, and a change of sites
    shown at once."""
    from datetime import date

    from accounts.permissions import Perm, services_with
    from referrals.models import Referral
    from tests.referrals.helpers import TEST_NHS_NUMBERS, parent
    from web.listing import late_rows

    here = [
        make_referral(
            service, coordinator, site=peterborough, parents=[parent(name="Jane Example")], child_name="Lily"
        ),
        make_referral(
            service,
            coordinator,
            site=peterborough,
            parents=[parent(name="Ann O'Brien-Smith", nhs_number=TEST_NHS_NUMBERS[1], postcode="PE2 2BB")],
            child_name="Ava Smith",
        ),
        make_referral(
            service,
            coordinator,
            site=peterborough,
            parents=[parent(name="Ex_am%ple", postcode="PE13 1AB")],
            child_name="Noah",
        ),
    ]
    there = [
        make_referral(
            service,
            coordinator,
            site=cambridgeshire,
            parents=[parent(name="Jane Exampleton", postcode="CB1 1AA")],
            child_name="Mia",
        ),
        make_referral(
            service,
            coordinator,
            site=cambridgeshire,
            parents=[parent(name="Bea Hidden", postcode="PE2 2BB", date_of_birth=date(1990, 1, 2))],
            confidential_address=True,
            child_name="Leo",
        ),
    ]
    held = allocated_referral(service, coordinator, practitioner, site=peterborough)  # a "Jane Example" too
    readers = {user: _client(user) for user in (coordinator, site_coordinator, manager)}
    cases = [
        {"name": "example"},
        {"name": "EXAMPLE"},
        {"name": "ex_am%"},
        {"name": "ex%ple"},
        {"name": "o'brien smith"},
        {"name": "smith"},
        {"nhs_number": TEST_NHS_NUMBERS[1]},
        {"postcode": "PE2 2BB"},
        {"postcode": "pe2"},
        {"postcode": "PE1"},
        {"postcode": "CB"},
        {"date_of_birth_day": "2", "date_of_birth_month": "1", "date_of_birth_year": "1990"},
        {"name": "jane", "postcode": "CB1 1AA"},
        {"name": "jane", "nhs_number": TEST_NHS_NUMBERS[1]},
    ]
    seen = set()
    for _ in range(2):
        for user, client in readers.items():
            for case in cases:
                terms = {k: v for k, v in case.items() if not k.startswith("date_of_birth_")}
                if "date_of_birth_day" in case:
                    terms["date_of_birth"] = date(1990, 1, 2)
                rows = Referral.objects.visible_to(user, Perm.REFERRAL_SEARCH).search(
                    **terms, service_ids=services_with(user, Perm.REFERRAL_SEARCH)
                )
                expected = [r.pk for r in late_rows(rows.order_by("-date_received", "-pk"), 0, 50)]
                got = _found(client, **case)
                assert got == expected, (user.username, case)
                seen.update(got)
    assert {r.pk for r in [*here, *there, held]} - {there[1].pk} <= seen  # each found by someone, but the hidden
    assert _found(readers[coordinator], name="ex_am%") == [here[2].pk]  # LIKE's wildcards typed are characters
    assert _found(readers[coordinator], name="ex%ple") == []
    assert set(_found(readers[coordinator], name="example")) == {here[0].pk, there[0].pk, held.pk}
    assert _found(readers[coordinator], postcode="PE2 2BB") == [here[1].pk]  # never the confidential address
    assert set(_found(readers[site_coordinator], name="jane")) == {here[0].pk, held.pk}
    Membership.objects.get(user=site_coordinator, service=service).sites.set([cambridgeshire])
    assert _found(readers[site_coordinator], name="jane") == [there[0].pk]


def test_a_search_of_a_shape_seen_before_is_only_run(coordinator, service):
    """Asked again with other terms of the same kinds, the search page compiles no SQL: its results, their parents
    and everything else on the page are run from statements compiled before (on PostgreSQL; SQLite's dates go
    through as text, so there a search with a date is built each time, ADR 0032)."""
    import traceback
    from unittest import mock

    import pytest
    from django.db import connection
    from django.db.models.sql.compiler import SQLCompiler

    if connection.vendor != "postgresql":
        pytest.skip("compiled once on PostgreSQL")
    from tests.referrals.helpers import parent

    family = make_referral(service, coordinator, parents=[parent(name="Zara Quill", postcode="PE3 3CC")])
    client = _client(coordinator)
    assert _found(client, name="zara", postcode="PE3") == [family.pk]
    compiled, as_sql = [], SQLCompiler.as_sql

    def watched(compiler, *args, **kwargs):
        # The test's second factor is looked up by django-otp's middleware on every request, as it compiles it.
        stack = traceback.extract_stack()
        if not any("django_otp" in frame.filename and frame.name != "__call__" for frame in stack):
            compiled.append(str(compiler.query.model))
        return as_sql(compiler, *args, **kwargs)

    with mock.patch.object(SQLCompiler, "as_sql", autospec=True, side_effect=watched):
        assert _found(client, name="quill", postcode="PE") == [family.pk]
    assert compiled == []
