"""Reads compiled once per process (`core.prepared`, ADR 0032) answer exactly as the ORM does, for each family in
turn: a stand-in swapped wrongly would show one family another's records, so every prepared read the service
defines is compared with its own queryset for every demo family, one after another."""

import datetime
import importlib
import itertools
import threading
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone

from accounts.models import Membership, Role, Site, User
from accounts.sessions import SessionStore
from core.prepared import DATE, IDS, INSTANT, INT, TEXT, prepared, prepared_reads
from cycles.models import Visit
from referrals.models import Referral, ReferralEvent

ROOT = Path(__file__).resolve().parents[2]
SKIP = {"tests", "migrations", "static", "templates", "docs", "scripts", ".venv", ".git", "node_modules"}


def _import_every_module_with_a_prepared_read() -> None:
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if SKIP & set(parts) or "@prepared(" not in path.read_text(encoding="utf-8"):
            continue
        if path.name == "prepared.py" and parts[0] == "core":
            continue
        importlib.import_module(".".join(parts)[: -len(".py")])


def _plain(row, depth: int = 3):
    """A model instance as plain values: its class, primary key, loaded fields, the related objects read with it
    (select_related) and its annotations, each related object the same way (to `depth`: a one-to-one's objects
    point back at each other); anything else as it is."""
    if not hasattr(row, "_meta"):
        return row
    if depth == 0:
        return (type(row).__name__, row.pk)
    fields = {f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields if f.attname in row.__dict__}
    extra = {
        name: value
        for name, value in row.__dict__.items()
        if name not in fields and not name.startswith("_") and not hasattr(value, "_meta")
    }
    related = {name: _plain(value, depth - 1) for name, value in row._state.fields_cache.items()}
    attached = {  # what a prefetch, or a queryset's own `_fetch_all`, put beside the row
        name: [_plain(value, depth - 1) for value in values]
        for name, values in getattr(row, "_prefetched_objects_cache", {}).items()
    }
    return (
        type(row).__name__,
        row.pk,
        row._state.db,
        row._state.adding,
        sorted(row.__dict__),  # nothing more or less set on the instance than Django sets
        sorted(fields.items()),
        sorted(extra.items(), key=lambda item: item[0]),
        sorted(related.items(), key=lambda item: item[0]),
        sorted(attached.items(), key=lambda item: item[0]),
    )


def _same_rows(rows) -> list:
    """Rows as plain values, all of what was read with them (`_plain`): a prepared read against its queryset."""
    return [_plain(row) for row in rows]


def _comparable(rows) -> list:
    """Rows as plain values: a model instance by its class, primary key and loaded fields (two ways of loading the
    same records, which may leave different related objects cached)."""
    out = []
    for row in rows:
        if hasattr(row, "_meta"):
            fields = {f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields}
            out.append((type(row).__name__, row.pk, sorted(fields.items(), key=lambda item: item[0])))
        else:
            out.append(row)
    return out


@pytest.fixture
def demo(db, settings):
    settings.DEMO_MODE = True
    call_command("load_demo_data")


def _every_prepared_read_answers_as_its_queryset_for_each_family_in_turn():
    _import_every_module_with_a_prepared_read()
    reads = [read for read in prepared_reads() if TEXT not in read.kinds and not read.__module__.startswith("tests.")]
    assert len(reads) >= 20
    referral_ids = list(Referral.objects.order_by("pk").values_list("pk", flat=True))
    user_ids = list(User.objects.order_by("pk").values_list("pk", flat=True))
    service_ids = sorted({*Referral.objects.values_list("service_id", flat=True)})
    visit_ids = list(Visit.objects.order_by("pk").values_list("pk", flat=True))
    membership_ids = list(Membership.objects.order_by("pk").values_list("pk", flat=True))
    site_ids = list(Site.objects.order_by("pk").values_list("pk", flat=True))
    now = timezone.now()
    today = now.date()
    choices = {
        "referral_id": referral_ids,
        "user_id": user_ids,
        "visit_id": visit_ids,
        "visit_ids": [visit_ids, visit_ids[::2], visit_ids[:1], []],
        "membership_ids": [membership_ids, membership_ids[::2], membership_ids[1:2], []],
        "service_id": service_ids,
        "service_ids": [service_ids, service_ids[:1], service_ids[1:], []],
        "ids": [referral_ids, referral_ids[::2], referral_ids[1::2], referral_ids[:1], []],
        "now": [now, now - datetime.timedelta(days=400), now + datetime.timedelta(days=400)],
        "site_ids": [site_ids, site_ids[::2], site_ids[:1], []],
        "trainee_ids": [user_ids, user_ids[::2], []],
        "start": [today - datetime.timedelta(days=400), today],
        "end": [today, today + datetime.timedelta(days=30)],
    }
    found_any = 0
    for read in reads:
        names = read.__wrapped__.__code__.co_varnames[: len(read.kinds)]
        combinations = list(itertools.product(*(choices[name] for name in names)))
        for values in [*combinations, *reversed(combinations)]:  # each after a different one, both ways round
            got = read(*values)
            assert _same_rows(got) == _same_rows(read.__wrapped__(*values)), (read.__name__, values)
            assert read.count(*values) == len(got), (read.__name__, values)
            found_any += bool(got)
    assert found_any > 100  # the demo's families have records for most reads


def _the_service_s_reads_are_compiled_once_on_postgresql():
    _import_every_module_with_a_prepared_read()
    referral = Referral.objects.order_by("pk").first()
    session = SessionStore()
    session["x"] = 1
    session.create()
    now = timezone.now()
    values = {INT: referral.pk, IDS: [referral.pk], TEXT: session.session_key, INSTANT: now, DATE: now.date()}
    for read in prepared_reads():
        if not read.kinds or read.__module__.startswith("tests."):
            continue
        read(*(values[kind] for kind in read.kinds))
        if connection.vendor == "postgresql" or not {INSTANT, IDS, DATE} & set(read.kinds):
            assert read.compiled_once, read.__name__


def _a_read_is_compiled_once_then_only_run():
    @prepared()
    def events_of(referral_id):
        return ReferralEvent.objects.filter(referral_id=referral_id).select_related("actor").order_by("at", "pk")

    first, second = Referral.objects.order_by("pk")[:2]
    events_of(first.pk)
    with mock.patch.object(SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql) as compiled:
        rows = events_of(second.pk)
    assert compiled.call_count == 0
    assert rows and {event.referral_id for event in rows} == {second.pk}
    assert rows[0].actor.pk == ReferralEvent.objects.filter(referral=second).order_by("at", "pk")[0].actor_id


def _prefetches_and_values_come_with_the_rows():
    @prepared()
    def family(referral_id):
        return Referral.objects.filter(pk=referral_id).prefetch_related("parents")

    @prepared()
    def kinds(referral_id):
        return ReferralEvent.objects.filter(referral_id=referral_id).values_list("kind", flat=True).order_by("pk")

    for referral in Referral.objects.order_by("-pk")[:3]:
        (got,) = family(referral.pk)
        assert [p.name for p in got.parents.all()] == [p.name for p in referral.parents.all()]
        assert kinds(referral.pk) == list(referral.events.order_by("pk").values_list("kind", flat=True))


def test_text_and_instant_values_and_a_value_used_twice(db):
    coordinator = User.objects.create_user(username="coord", password="x" * 16)
    later = timezone.now() + datetime.timedelta(days=1)

    @prepared(TEXT, INSTANT)
    def named_joined_before(username, when):
        return User.objects.filter(username=username, date_joined__lt=when).filter(username__exact=username)

    assert named_joined_before("coord", later) == [coordinator]
    assert named_joined_before("coord", later - datetime.timedelta(days=3)) == []
    assert named_joined_before("someone else", later) == []


def test_a_value_that_is_not_a_plain_parameter_is_built_each_time_and_still_right(db):
    User.objects.create_user(username="amira", password="x" * 16)

    @prepared(TEXT)
    def containing(text):
        return User.objects.filter(username__contains=text).values_list("username", flat=True)

    assert containing("mir") == ["amira"]
    assert containing("zzz") == []
    assert not containing.compiled_once


def test_a_count_is_the_rows_up_to_the_read_s_slice_for_each_value_in_turn(db, service, coordinator):
    from tests.referrals.helpers import make_referral

    families = [make_referral(service, coordinator) for _ in range(5)]

    @prepared()
    def first_of(service_id):
        return Referral.objects.filter(service_id=service_id).order_by("pk").values("pk")[:3]

    @prepared()
    def all_of(service_id):
        return Referral.objects.filter(service_id=service_id)

    for _ in range(2):
        assert (first_of.count(service.pk), all_of.count(service.pk)) == (3, len(families))
        assert (first_of.count(-1), all_of.count(-1)) == (0, 0)
    assert first_of.compiled_once and all_of.compiled_once


def test_a_read_takes_exactly_its_values(db):
    @prepared()
    def users(user_id):
        return User.objects.filter(pk=user_id)

    with pytest.raises(TypeError):
        users()
    with pytest.raises(TypeError):
        users(1, 2)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite's test database is one connection's memory")
def test_threads_each_get_their_own_rows(transactional_db):
    users = [User.objects.create_user(username=f"user{i}", password="x" * 16) for i in range(4)]

    @prepared()
    def username_of(user_id):
        return User.objects.filter(pk=user_id).values_list("username", flat=True)

    got: dict[int, set] = {}

    def look(user):
        try:
            got[user.pk] = {name for _ in range(20) for name in username_of(user.pk)}
        finally:
            connection.close()

    threads = [threading.Thread(target=look, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert got == {user.pk: {user.username} for user in users}


def test_an_expired_session_is_not_loaded_and_a_live_one_is(db):
    store = SessionStore()
    store["vig_login_at"] = 1
    store.create()
    key = store.session_key
    assert SessionStore(session_key=key).load() == {"vig_login_at": 1}
    SessionStore.get_model_class().objects.filter(session_key=key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    expired = SessionStore(session_key=key)
    assert expired.load() == {}
    assert expired.session_key is None


def test_the_backend_finds_active_users_only(db, service):
    from accounts.backends import UserBackend

    user = User.objects.create_user(username="pat", password="x" * 16)
    Membership.objects.create(user=user, service=service, role=Role.COORDINATOR)
    assert UserBackend().get_user(user.pk) == user
    assert UserBackend().get_user(user.pk + 1000) is None
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert UserBackend().get_user(user.pk) is None


def _work(cycles) -> list:
    return [
        (
            cycle.pk,
            [(f.pk, [(c.pk, c.helping_question_id) for c in f.clips.all()]) for f in cycle.filmings.all()],
            [r.pk for r in cycle.shared_reviews.all()],
        )
        for cycle in cycles
    ]


def _attached_work_is_what_the_prefetches_give_for_every_family(django_assert_num_queries):
    from cycles.reads.helping_questions import family_questions, questions_with_ratings
    from cycles.reads.timeline import cycles_of, family_cycles

    with_work = 0
    for referral_id in Referral.objects.order_by("pk").values_list("pk", flat=True):
        cycles = family_cycles(referral_id)
        with django_assert_num_queries(0):
            attached = _work(cycles)
        assert attached == _work(cycles_of(referral_id)), referral_id
        with_work += any(filmings for _, filmings, _ in attached)
        questions = family_questions(referral_id)
        with django_assert_num_queries(0):
            ratings = [(q.pk, [(r.pk, r.recorded_by.pk) for r in q.ratings.all()]) for q in questions]
        expected = [
            (q.pk, [(r.pk, r.recorded_by.pk) for r in q.ratings.all()]) for q in questions_with_ratings(referral_id)
        ]
        assert ratings == expected, referral_id
    assert with_work >= 3


def _a_page_s_family_is_loaded_as_the_api_s_prefetch_loads_it(django_assert_num_queries):
    for referral_id in Referral.objects.order_by("pk").values_list("pk", flat=True):
        page = Referral.objects.with_record_details(for_api=False).get(pk=referral_id)
        api = Referral.objects.with_record_details(for_api=True).get(pk=referral_id)
        with django_assert_num_queries(0):
            got = (
                [p.pk for p in page.parents.all()],
                [c.pk for c in page.other_children.all()],
                [(a.pk, a.holds_family, a.practitioner.pk, a.supervisor_id) for a in page.allocations.all()],
                [a.referral is page for a in page.allocations.all()],
            )
        assert got[:3] == (
            [p.pk for p in api.parents.all()],
            [c.pk for c in api.other_children.all()],
            [(a.pk, a.holds_family, a.practitioner.pk, a.supervisor_id) for a in api.allocations.all()],
        )
        assert all(got[3])


def _the_record_page_s_read_attaches_the_family_as_its_queryset_does(django_assert_num_queries):
    """The record page's read (`referrals.loading._record_for_page`, compiled once per shape, its rows made by
    `core.prepared`) gives each user each family exactly as its queryset does, the parents, children and
    allocations its `_fetch_all` attaches included, and they are read from memory."""
    from accounts.permissions import Perm, scope_shape
    from referrals.loading import _record_for_page

    users = [m.user for m in Membership.objects.select_related("user").order_by("pk")[:8]]
    seen = 0
    for user in users:
        shape = scope_shape(user, Perm.REFERRAL_VIEW)
        for pk in Referral.objects.order_by("pk").values_list("pk", flat=True):
            got = _record_for_page(shape, user, pk)
            expected = list(Referral.objects.visible_to(user).with_record_details(for_api=False).filter(pk=pk))
            assert _same_rows(got) == _same_rows(expected), (user.pk, pk)
            for referral in got:
                with django_assert_num_queries(0):
                    list(referral.parents.all()), list(referral.other_children.all()), list(referral.allocations.all())
                seen += 1
    assert seen > 20


def _attached_rows_filter_through_the_database_as_a_prefetch_does(django_assert_num_queries):
    referral = next(r for r in Referral.objects.with_record_details(for_api=False) if r.allocations.all())
    page = Referral.objects.with_record_details(for_api=False).get(pk=referral.pk)
    with django_assert_num_queries(0):
        assert page.parents.count() == len(page.parents.all()) >= 1
        assert page.parents.exists()
        first = page.parents.first()
    assert first == referral.parents.order_by("referral_id", "order", "pk").first()
    with django_assert_num_queries(1):
        named = list(page.parents.filter(name=first.name))
    assert named == [first]
    ended = list(referral.allocations.filter(ended_at__isnull=False))
    with django_assert_num_queries(1):
        assert list(page.allocations.all().filter(ended_at__isnull=False)) == ended
    # The rows' own queryset (made only now, by `attach`'s base function) keeps its annotation and joins.
    with django_assert_num_queries(1):
        refiltered = list(page.allocations.filter(pk__in=[a.pk for a in page.allocations.all()]))
    assert refiltered and all(hasattr(a, "holds_family") for a in refiltered)
    other = Referral.objects.exclude(pk=referral.pk).order_by("pk").first()
    assert not set(page.parents.values_list("pk", flat=True)) & set(other.parents.values_list("pk", flat=True))


def test_prepared_reads_and_attached_rows_on_the_demo_families(demo, django_assert_num_queries):
    """Every prepared read the service defines answers as its queryset for each family in turn and is compiled once;
    what `attach` gives each family (a record's cycles, questions, parents, children and allocations) is what
    Django's prefetches give, read from memory, and filters further through the database. One demo load for all:
    it is the slow part."""
    _every_prepared_read_answers_as_its_queryset_for_each_family_in_turn()
    _the_service_s_reads_are_compiled_once_on_postgresql()
    _a_read_is_compiled_once_then_only_run()
    _prefetches_and_values_come_with_the_rows()
    _attached_work_is_what_the_prefetches_give_for_every_family(django_assert_num_queries)
    _a_page_s_family_is_loaded_as_the_api_s_prefetch_loads_it(django_assert_num_queries)
    _the_record_page_s_read_attaches_the_family_as_its_queryset_does(django_assert_num_queries)
    _attached_rows_filter_through_the_database_as_a_prefetch_does(django_assert_num_queries)
    _a_visit_page_s_visit_is_loaded_as_the_api_s_prefetch_loads_it(django_assert_num_queries)


def _visit_facts(visit) -> tuple:
    family = visit.referral
    return (
        _comparable([visit, visit.practitioner, family, family.service]),
        family.allocation_outside_site,
        _comparable(visit.activities.all()),
        _comparable(family.parents.all()),
        [(*_comparable([a])[0], a.holds_family, a.practitioner.pk) for a in family.allocations.all()],
    )


def _a_visit_page_s_visit_is_loaded_as_the_api_s_prefetch_loads_it(django_assert_num_queries):
    """The visit form's loader (`visible_visits_by_pk`: the visit compiled once per shape, its family, parents,
    allocations and activities attached from reads compiled once) gives each user exactly what `visible_visits`'
    prefetches give, for every demo visit: the same rows, and a 404's DoesNotExist for a visit they may not see;
    and its pages read them from memory."""
    from cycles.reads.visits import visible_visits, visible_visits_by_pk

    users = [m.user for m in Membership.objects.select_related("user").order_by("pk")[:12]]
    visits = list(Visit.objects.order_by("pk").values_list("pk", flat=True))
    assert visits
    seen = 0
    for user in users:
        loader, plain = visible_visits_by_pk(user), visible_visits(user)
        for pk in visits:
            try:
                expected = plain.get(pk=pk)
            except Visit.DoesNotExist:
                with pytest.raises(Visit.DoesNotExist):
                    loader.get(pk=pk)
                continue
            got = loader.get(pk=pk)
            with django_assert_num_queries(0):
                assert _visit_facts(got) == _visit_facts(expected), (user.pk, pk)
            seen += 1
    assert seen > 20


def test_instances_made_directly_behave_as_django_s(db, service, coordinator):
    """A prepared read fills its instances' `__dict__` rather than calling `Model.__init__` (`core.prepared._from_db`):
    fields not read stay deferred and load on use, a saved instance is updated (not inserted again), a foreign key
    set afterwards replaces the object read with it, and while anything listens for `post_init` Django's own way
    is used, so the listener sees every instance."""
    from django.db.models.signals import post_init

    from tests.referrals.helpers import make_referral

    referral = make_referral(service, coordinator)
    ReferralEvent.objects.create(referral=referral, kind="updated", summary="updated once", actor=coordinator)

    @prepared()
    def events_of(referral_id):
        return (
            ReferralEvent.objects.filter(referral_id=referral_id)
            .select_related("actor")
            .only("kind", "referral_id", "actor__username")
            .order_by("pk")
        )

    rows = events_of(referral.pk)
    django_rows = list(events_of.__wrapped__(referral.pk))
    assert [r.get_deferred_fields() for r in rows] == [r.get_deferred_fields() for r in django_rows]
    assert {"summary", "changes"} <= rows[0].get_deferred_fields()
    assert rows[0].actor.get_deferred_fields() == django_rows[0].actor.get_deferred_fields()
    assert len(rows) >= 2 and rows[-1].summary == "updated once"  # a deferred field, read on use
    rows[-1].summary = "updated, corrected"
    rows[-1].save(update_fields=["summary"])
    assert ReferralEvent.objects.filter(referral=referral).count() == len(rows)
    assert ReferralEvent.objects.get(pk=rows[-1].pk).summary == "updated, corrected"
    other = User.objects.create_user(username="someone-else", password="x")  # noqa: S106 (a test user)
    rows[0].actor = other
    assert rows[0].actor_id == other.pk and rows[0].actor is other
    rows[0].actor_id = coordinator.pk  # an id set directly drops the cached object, as on Django's instances
    assert rows[0].actor == coordinator

    seen = []

    def listener(sender, instance, **kwargs):
        seen.append(type(instance).__name__)

    post_init.connect(listener)
    try:
        assert _same_rows(events_of(referral.pk)) == _same_rows(events_of.__wrapped__(referral.pk))
    finally:
        post_init.disconnect(listener)
    # the prepared read's instances and Django's: each event and its actor
    assert seen.count("ReferralEvent") == seen.count("User") == 2 * len(rows)


def test_the_visit_an_action_records_is_read_under_its_row_lock(db):
    """Recording, moving or drafting a visit reads it with `_visit_for_update`, compiled once: the compiled SQL still
    locks the rows (two practitioners' saves of one visit wait for each other rather than both recording it)."""
    from django.db import transaction

    from cycles.actions.visits import _visit_for_update

    with transaction.atomic():
        assert _visit_for_update(1) == []
    if connection.vendor == "postgresql":
        assert _visit_for_update.compiled_once
        assert _visit_for_update._compiled[3].rstrip().endswith("FOR UPDATE")


def test_counts_and_sums_come_back_as_django_converts_them(db, service, coordinator):
    """A prepared read's counts and sums skip Django's `int(value)` converter where the value is already a whole
    number (`core.prepared._whole_number`): the rows are still what the queryset gives, ints and None alike, a sum
    over no values included, and a whole number sent as a decimal (a sum of big integers on PostgreSQL) is an int."""
    from django.db.models import Count, DecimalField, IntegerField, Q, Sum, Value
    from django.db.models.functions import Cast

    from core.prepared import _whole_number
    from tests.referrals.helpers import make_referral

    for _ in range(2):
        make_referral(service, coordinator)

    @prepared()
    def counted(service_id):
        return (
            Referral.objects.filter(service_id=service_id)
            .order_by()
            .values_list("status")
            .annotate(
                n=Count("pk"),
                none=Sum("days_awaiting_information", filter=Q(pk__lt=0)),  # over no rows: None
                big=Sum(Cast(Value(3), DecimalField(max_digits=30, decimal_places=0)), output_field=IntegerField()),
            )
        )

    got, expected = counted(service.pk), list(counted.__wrapped__(service.pk))
    assert got == expected and got
    assert [tuple(map(type, row)) for row in got] == [tuple(map(type, row)) for row in expected]
    assert all(type(n) is int and none is None and type(big) is int for _, n, none, big in got)
    query = counted.__wrapped__(service.pk)
    compiler = query.query.get_compiler(using=query.db)
    compiler.setup_query()
    columns = [column[0] for column in compiler.select]
    whole = [_whole_number(*item) for item in compiler.get_converters(columns).values()]
    assert whole.count(True) == 3  # the three annotations; the status column keeps its own


def test_rows_of_whole_numbers_only_are_converted_only_where_needed(db, service, coordinator):
    """A read whose only converters are counts' and sums' (`_all_whole`) keeps the database's rows where every such
    value is already a whole number or None, and converts them all where one is not (a sum sent as a decimal):
    either way the rows and their types are the queryset's."""
    from django.db.models import Count, DecimalField, IntegerField, Q, Sum, Value
    from django.db.models.functions import Cast

    from core.prepared import _all_whole
    from tests.referrals.helpers import make_referral

    for _ in range(3):
        make_referral(service, coordinator)

    @prepared()
    def whole(service_id):
        return (
            Referral.objects.filter(service_id=service_id)
            .order_by()
            .values_list("service_id")
            .annotate(n=Count("pk"), none=Sum("days_awaiting_information", filter=Q(pk__lt=0)))
        )

    @prepared()
    def decimal_sum(service_id):
        return (
            Referral.objects.filter(service_id=service_id)
            .order_by()
            .values_list("service_id")
            .annotate(
                n=Count("pk"),
                big=Sum(Cast(Value(3), DecimalField(max_digits=30, decimal_places=0)), output_field=IntegerField()),
            )
        )

    for read in (whole, decimal_sum):
        got, expected = read(service.pk), list(read.__wrapped__(service.pk))
        assert got == expected and got
        assert [tuple(map(type, row)) for row in got] == [tuple(map(type, row)) for row in expected]
        assert all(type(value) in (int, type(None)) for row in got for value in row)
    assert _all_whole([(1, None), (2, 3)], (0, 1))
    assert not _all_whole([(1, None), (2, 3.0)], (0, 1))
    assert not _all_whole([(1, None), (2, "3")], (1,))


def test_fetched_is_what_djangos_cursor_gives_with_its_checks(db, service, coordinator):
    """`core.prepared.fetched` runs a statement without Django's cursor wrapper when nothing watches: the same rows
    (aware datetimes included), the database's errors as Django's, a broken transaction refused; and through
    Django's cursor when something does, so a test counting queries still sees each one."""
    from django.db import DatabaseError, transaction
    from django.db.transaction import TransactionManagementError
    from django.test.utils import CaptureQueriesContext

    from core.prepared import fetched
    from tests.referrals.helpers import make_referral

    make_referral(service, coordinator)
    sql = 'SELECT "id", "created_at", "status" FROM "referrals_referral" WHERE "service_id" = %s ORDER BY "id"'
    with connection.cursor() as cursor:
        cursor.execute(sql, [service.pk])
        expected = cursor.fetchall()
    got = fetched(connection, sql, [service.pk])
    assert got == expected and got
    assert [tuple(map(type, row)) for row in got] == [tuple(map(type, row)) for row in expected]
    if connection.vendor == "postgresql":  # SQLite's driver gives naive datetimes either way
        assert got[0][1].tzinfo is not None and got[0][1].utcoffset() == expected[0][1].utcoffset()
    with CaptureQueriesContext(connection) as seen:
        assert fetched(connection, sql, [service.pk]) == expected
    assert len(seen) == 1 and "referrals_referral" in seen[0]["sql"]
    with pytest.raises(DatabaseError), transaction.atomic():  # Django's error, not the driver's
        fetched(connection, "SELECT no_such_column FROM referrals_referral", [])
    with transaction.atomic():
        transaction.set_rollback(True)
        with pytest.raises(TransactionManagementError):
            fetched(connection, sql, [service.pk])
