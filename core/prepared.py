"""Reads compiled to SQL once per process, then run with each request's values (ADR 0032).

Why: at 100,000 referrals about 40% of a family's record's Python went on Django building and compiling SQL, afresh
on every request, for statements that differ between families only in the family's id (and between requests only
in the user's id, the session's key, today's date). A read wrapped in `prepared` is built once with stand-in values,
compiled once, and from then on only run: the stand-ins among its parameters are swapped for the request's values
and Django turns the rows into objects exactly as it would have (select_related, annotations, converters and
prefetch_related included; the prefetches are compiled as usual).

Use it only for a read whose SQL does not change with its values: filters on ids, keys and dates, not `__in` lists
or conditions chosen from the data. It returns a list, never a queryset, so nothing can chain onto compiled SQL. If
a value does not reach the database as a plain parameter (a backend that converts dates to text, say), the read is
built and compiled on every call, as before: slower, never wrong (`tests/core/test_prepared.py` checks the
service's reads are compiled once on PostgreSQL).
"""

import copy
import datetime
import functools
import threading
from collections import OrderedDict
from collections.abc import Callable
from operator import itemgetter

from django.core.exceptions import EmptyResultSet, FieldError
from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.base import ModelState
from django.db.models.fields.files import FileDescriptor
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query import FlatValuesListIterable, ModelIterable, ValuesListIterable, get_related_populators
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init

# Stand-ins no real row holds: negative ids far below any the service makes, a key no session has (sessions' keys
# are letters and digits), and instants before the service existed.
INT = "int"
IDS = "ids"  # a list of ids, sent as one array parameter (`core.lookups.among`) where the database allows it
TEXT = "text"
INSTANT = "instant"
DATE = "date"
_STAND_INS = {
    INT: tuple(-7_300_001 - i for i in range(12)),
    IDS: tuple([-7_400_001 - i, -7_400_101 - i] for i in range(12)),
    TEXT: tuple(f"\x1fvig-stand-in-{i}" for i in range(12)),
    INSTANT: tuple(datetime.datetime(1901, 1, 1, 0, 0, i, tzinfo=datetime.UTC) for i in range(12)),
    DATE: tuple(datetime.date(1901, 2, 1 + i) for i in range(12)),
}

_registry: list["PreparedRead"] = []


class PreparedRead:
    """One read, compiled on first use; call it with the values that take the stand-ins' places."""

    def __init__(self, build: Callable[..., QuerySet], kinds: tuple[str, ...], *, register: bool = True):
        self._build = build
        self.kinds = kinds
        self._stand_ins = tuple(_STAND_INS[kind][i] for i, kind in enumerate(kinds))
        self._compiled = None
        self._rows = None  # `_Rows` where Django's iterable can be set up once
        self._compiles_per_call = False
        self._lock = threading.Lock()
        inner = getattr(build, "func", build)  # a partial's function
        self.__doc__ = inner.__doc__
        self.__name__ = inner.__name__
        self.__qualname__ = inner.__qualname__
        self.__module__ = inner.__module__
        self.__wrapped__ = build
        if register:
            _registry.append(self)

    @property
    def compiled_once(self) -> bool:
        """Whether this read runs from SQL compiled once (false until first used, or where a value is converted)."""
        return self._compiled is not None

    def _compile(self):
        """Build the queryset with the stand-ins and compile it; None if a stand-in did not reach the parameters or
        nothing could match."""
        queryset = self._build(*self._stand_ins)
        compiler = queryset.query.get_compiler(using=queryset.db)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:  # nothing could match (someone with no access): Django answers [] per call
            return None
        slots = []
        for param in params:
            slot = None
            for i, stand_in in enumerate(self._stand_ins):
                if type(param) is type(stand_in) and param == stand_in:
                    slot = i
            slots.append(slot)
        if set(range(len(self._stand_ins))) - set(slots):
            return None
        # How each column's value is turned into Python depends only on the columns: worked out once too.
        columns = [column[0] for column in compiler.select[0 : compiler.col_count]]
        converters = compiler.get_converters(columns)
        if _Rows.serves(queryset, compiler, columns):
            self._rows = _Rows(queryset, compiler, converters)
        return queryset, compiler, converters, sql, tuple(params), tuple(slots)

    def __call__(self, *values) -> list:
        """The rows (model instances, dicts or tuples, as the queryset makes them) for these values."""
        if self._ready(values) is None:
            return list(self._build(*values))
        queryset, compiler, converters, sql, params, slots = self._compiled
        if self._rows is not None:
            return self._rows(queryset.db, sql, self._run_params(params, slots, values))
        return list(_with_sql(queryset, compiler, converters, sql, self._run_params(params, slots, values)))

    def count(self, *values) -> int:
        """How many rows the read would return for these values, counted by the database (`SELECT COUNT(*)` around
        the compiled statement, so a sliced read counts at most its slice: a capped count, ADR 0024)."""
        compiled = self._ready(values)
        if compiled is None:
            return self._build(*values).count()
        queryset, _compiler, _converters, sql, params, slots = compiled
        counted = f"SELECT COUNT(*) FROM ({sql}) counted"  # noqa: S608 (Django's own compiled SQL)
        return fetched(connections[queryset.db], counted, self._run_params(params, slots, values))[0][0]

    def _ready(self, values):
        """The compiled read (compiling it the first time), or None where it is built on every call."""
        if len(values) != len(self._stand_ins):
            raise TypeError(f"{self.__name__} takes {len(self._stand_ins)} values.")
        if self._compiled is None and not self._compiles_per_call:
            with self._lock:
                if self._compiled is None and not self._compiles_per_call:
                    self._compiled = self._compile()
                    self._compiles_per_call = self._compiled is None
        return self._compiled

    @staticmethod
    def _run_params(params: tuple, slots: tuple, values: tuple) -> tuple:
        """The compiled statement's parameters with the stand-ins swapped for these values."""
        return tuple(p if slot is None else values[slot] for p, slot in zip(params, slots, strict=True))


def fetched(connection, sql: str, params) -> list:
    """Every row of one statement, as `with connection.cursor() as c: c.execute(sql, params); c.fetchall()` gives
    them, with the checks and error wrapping Django's cursor makes (a broken transaction refused, a failed health
    check closing the connection, the database's errors as Django's) but without its wrapper's own layers, about
    25 µs a statement of a page's few dozen. Where anything watches the statements (a test counting queries,
    `DEBUG`'s log, an `execute_wrapper`), they go through Django's cursor as before, so they are seen."""
    if connection.execute_wrappers or connection.queries_logged:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    connection.validate_no_broken_transaction()
    with connection.wrap_database_errors:
        cursor = connection.create_cursor()
        try:
            cursor.execute(sql, params)
            return cursor.fetchall()
        finally:
            cursor.close()


class _Rows:
    """Django's iterable for one compiled read (`ModelIterable`, `ValuesListIterable` or `FlatValuesListIterable`),
    its set-up (which columns make the model, its related objects and annotations) worked out once rather than on
    every call: the rows are fetched with one cursor, converted, and made into instances, tuples or single values
    exactly as Django's iterable makes them. Only for reads with no `prefetch_related`, no related objects known in
    advance, no composite key, and a queryset that either adds nothing after fetching or says what it adds in
    `rows_fetched` (`ReferralQuerySet` attaches a family's parents), called here as its `_fetch_all` calls it; the
    others go through Django's own iterable. A busy page runs a few dozen of these reads; done once, the set-up
    leaves a read about a third cheaper (an empty one 110 → 65 µs of CPU)."""

    KINDS = {ModelIterable: "models", ValuesListIterable: "tuples", FlatValuesListIterable: "values"}

    @classmethod
    def serves(cls, queryset, compiler, columns) -> bool:
        """Whether this read's rows are made by an iterable `_Rows` reproduces, and anything added after them is
        added by the queryset's `rows_fetched`."""
        return (
            queryset._iterable_class in cls.KINDS
            and (type(queryset)._fetch_all is QuerySet._fetch_all or hasattr(queryset, "rows_fetched"))
            and not queryset._prefetch_related_lookups
            and not queryset._known_related_objects
            and not compiler.has_composite_fields(columns)
        )

    def __init__(self, queryset, compiler, converters: dict):
        self._kind = self.KINDS[queryset._iterable_class]
        self._col_count = compiler.col_count if compiler.has_extra_select else None
        self._converters = tuple(converters.items())
        # Counts and sums: Django's converter is `int(value)` (None kept), which a whole number the database already
        # sent as one leaves as it is; those columns are converted here without a call per value.
        self._whole_numbers = tuple(position for position, item in self._converters if _whole_number(*item))
        self._others = tuple(item for item in self._converters if item[0] not in self._whole_numbers)
        if self._kind == "models":
            klass_info = compiler.klass_info
            self._klass_info = klass_info
            self._select = compiler.select
            self._model = klass_info["model"]
            fields = klass_info["select_fields"]
            self._start, self._end = fields[0], fields[-1] + 1
            self._init_list = [column[0].target.attname for column in compiler.select[self._start : self._end]]
            self._annotations = tuple(compiler.annotation_col_map.items())
            self._populators: dict[str, list] = {}
            self._rows_fetched = getattr(queryset, "rows_fetched", None)  # a queryset's own additions (attached rows)

    def __call__(self, db: str, sql: str, params: tuple) -> list:
        connection = connections[db]
        rows = fetched(connection, sql, params)
        if not rows:
            return []
        if self._col_count is not None:
            rows = [row[: self._col_count] for row in rows]
        converted = bool(self._others) or (self._whole_numbers and not _all_whole(rows, self._whole_numbers))
        if converted:
            rows = [self._converted(list(row), connection) for row in rows]
        if self._kind == "values":
            return [row[0] for row in rows]
        if self._kind == "tuples":
            return [tuple(row) for row in rows] if converted else list(rows)
        return self._instances(db, rows)

    def _converted(self, row: list, connection) -> list:
        for position in self._whole_numbers:
            value = row[position]
            if value is not None and type(value) is not int:
                row[position] = int(value)
        for position, (convert, expression) in self._others:
            value = row[position]
            for converter in convert:
                value = converter(value, expression, connection)
            row[position] = value
        return row

    def _instances(self, db: str, rows) -> list:
        populators = self._populators.get(db)
        if populators is None:  # they name the database their instances come from
            made = [_Related(populator) for populator in get_related_populators(self._klass_info, self._select, db)]
            populators = self._populators.setdefault(db, made)
        init_list, start, end = self._init_list, self._start, self._end
        make = _maker(self._model)
        found = []
        for row in rows:
            instance = make(db, init_list, row[start:end])
            for populator in populators:
                populator.populate(row, instance)
            for name, position in self._annotations:
                setattr(instance, name, row[position])
            found.append(instance)
        if self._rows_fetched is not None:
            self._rows_fetched(found)
        return found


_WHOLE = {int, type(None)}


def _all_whole(rows: list, positions: tuple) -> bool:
    """Whether every value at `positions` is already a whole number or None (as the database sends counts and
    most sums), so no row needs converting: a look at each column's types without a Python call per row (a
    dashboard reads about a thousand grouped rows)."""
    return all(set(map(type, map(itemgetter(position), rows))) <= _WHOLE for position in positions)


def _whole_number(convert: list, expression) -> bool:
    """Whether a column's only converter is Django's own for an integer-valued expression (a count, a sum of whole
    numbers): `None if value is None else int(value)` (`BaseExpression.convert_value`)."""
    try:
        converter = expression.convert_value
        internal_type = expression.output_field.get_internal_type()
    except (AttributeError, FieldError):
        return False
    return len(convert) == 1 and convert[0] is converter and internal_type.endswith("IntegerField")


# Descriptors of a model's fields that a loaded value may bypass: they only read it from the instance's `__dict__`
# (`FileDescriptor` and a foreign key's id also store it there, and clear a cached object a new instance has not got).
_PLAIN_DESCRIPTORS = (DeferredAttribute, ForeignKeyDeferredAttribute, FileDescriptor)
_plain_models: dict[type, bool] = {}


def _plain_model(model) -> bool:
    """Whether a loaded instance of `model` can be made by filling its `__dict__`, as `Model.__init__` would:
    the model keeps Django's `__init__` and `from_db`, and every field's descriptor is one of Django's plain ones."""
    plain = _plain_models.get(model)
    if plain is None:
        plain = (
            model.__init__ is Model.__init__
            and model.from_db.__func__ is Model.from_db.__func__
            and not model._meta.abstract
            and all(
                type(_descriptor(model, field.attname)) in _PLAIN_DESCRIPTORS for field in model._meta.concrete_fields
            )
        )
        _plain_models[model] = plain
    return plain


def _descriptor(model, name: str):
    for klass in model.__mro__:
        if name in klass.__dict__:
            return klass.__dict__[name]
    return None


def _from_db(model, db: str, init_list: list, values) -> Model:
    """`model.from_db(db, init_list, values)` without `Model.__init__`'s per-field `setattr`: the instance's state and
    loaded values are put in its `__dict__` directly (fields not loaded stay deferred, as Django leaves them). A
    record's page makes a few hundred instances; made so, each costs about a third of Django's way (ADR 0032)."""
    instance = model.__new__(model)
    state = ModelState()
    state.adding = False
    state.db = db
    attributes = instance.__dict__
    attributes["_state"] = state
    attributes.update(zip(init_list, values, strict=True))
    return instance


def _maker(model) -> Callable:
    """How this read makes `model`'s instances: directly (`_from_db`) for a plain model while nothing listens for
    `pre_init`/`post_init` (whose signals Django's `__init__` sends), else Django's `from_db`."""
    if pre_init.receivers or post_init.receivers or not _plain_model(model):
        return model.from_db
    return functools.partial(_from_db, model)


class _Related:
    """Django's `RelatedPopulator` (a `select_related` object read with each row), making its instances with
    `_maker`; what it reads from the row and where it puts the object are Django's own."""

    def __init__(self, populator):
        self._populator = populator
        self._children = [_Related(child) for child in populator.related_populators]
        model = populator.model_cls
        self._direct = functools.partial(_from_db, model) if _plain_model(model) else None

    def populate(self, row, from_obj) -> None:
        """As `RelatedPopulator.populate`."""
        p = self._populator
        obj_data = p.reorder_for_init(row) if p.reorder_for_init else row[p.cols_start : p.cols_end]
        if obj_data[p.pk_idx] is None:
            obj = None
        else:
            make = self._direct
            if make is None or pre_init.receivers or post_init.receivers:  # as `_maker`
                make = p.model_cls.from_db
            obj = make(p.db, p.init_list, obj_data)
            for child in self._children:
                child.populate(row, obj)
        p.local_setter(from_obj, obj)
        if obj is not None:
            p.remote_setter(obj, from_obj)


def prepared(*kinds: str) -> Callable[[Callable[..., QuerySet]], PreparedRead]:
    """Decorate a function that builds a queryset from its arguments (of these kinds: INT, IDS, TEXT, INSTANT, DATE), so
    that it is compiled once per process; with no kinds, every argument is an id (INT). A list of ids (IDS) must
    reach the SQL through `core.lookups.among`, one array parameter on PostgreSQL; `__in` makes a parameter per id,
    and such a read is built and compiled on every call."""

    def wrap(build: Callable[..., QuerySet]) -> PreparedRead:
        return PreparedRead(build, kinds or (INT,) * build.__code__.co_argcount)

    return wrap


class PreparedByShape:
    """A read whose SQL depends on more than its values (who is asking: their memberships' services, sites and
    roles make the conditions), compiled once per *shape*: the caller names what the SQL depends on, and reads of
    the same shape share one compiled statement. The most recently used `size` shapes are kept."""

    def __init__(self, build: Callable[..., QuerySet], kinds: tuple[str, ...], size: int = 256):
        self._build = build
        self.kinds = kinds
        self._size = size
        self._reads: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self.__doc__ = build.__doc__
        self.__name__ = build.__name__

    def __call__(self, shape, context, *values) -> list:
        """The rows for these values, built (the first time for this shape) as `build(context, *values)`. `shape`
        must name everything the built SQL takes from `context`."""
        return self._read(shape, context)(*values)

    def count(self, shape, context, *values) -> int:
        """How many rows there are for these values (`PreparedRead.count`)."""
        return self._read(shape, context).count(*values)

    def _read(self, shape, context) -> PreparedRead:
        """This shape's compiled read, made the first time the shape is asked for."""
        with self._lock:
            read = self._reads.get(shape)
            if read is not None:
                self._reads.move_to_end(shape)
        if read is None:
            read = PreparedRead(functools.partial(self._build, context), self.kinds, register=False)
            with self._lock:
                read = self._reads.setdefault(shape, read)
                while len(self._reads) > self._size:
                    self._reads.popitem(last=False)
        return read


def prepared_by_shape(*kinds: str, size: int = 256) -> Callable[[Callable[..., QuerySet]], PreparedByShape]:
    """Decorate `build(context, *values)`: compiled once per shape (`PreparedByShape`)."""
    return lambda build: PreparedByShape(build, kinds or (INT,) * (build.__code__.co_argcount - 1), size)


class ReadByPk:
    """What a page's loader asks of a queryset of visible records (`.model`, `.get(pk=…)`: `web.pages.load_visible`),
    answered by a prepared read of one record by its id, so the loader's refusals (logged 404, 410, 403) stay one."""

    def __init__(self, model, read: Callable[[int], list]):
        self.model = model
        self._read = read

    def get(self, *, pk):
        """The record, or the model's DoesNotExist (an id that is not a whole number included)."""
        try:
            found = self._read(int(pk))
        except (TypeError, ValueError):
            found = []
        if not found:
            raise self.model.DoesNotExist
        return found[0]


def prepared_reads() -> list[PreparedRead]:
    """Every prepared read defined so far (for the test that checks each is compiled once on PostgreSQL)."""
    return list(_registry)


def _with_sql(queryset: QuerySet, compiler, converters: dict, sql: str, params: tuple) -> QuerySet:
    """A one-use copy of the queryset whose compiler answers with the SQL already made, on this thread's
    connection; the caller evaluates it at once."""
    db = queryset.db
    run = copy.copy(compiler)
    run.connection = connections[db]
    run.using = db
    run.as_sql = lambda *args, **kwargs: (sql, params)
    run.get_converters = lambda expressions: converters
    query = copy.copy(queryset.query)
    query.get_compiler = lambda using=None, connection=None, elide_empty=True: run
    # The queryset as built, flags of its class included (`copy.copy` would evaluate it), with the new query.
    one_use = object.__new__(queryset.__class__)
    one_use.__dict__.update(queryset.__dict__)
    one_use._query = query
    one_use._db = db
    return one_use


class AttachedRows(QuerySet):
    """The rows a prepared read fetched for one record's relation, where a prefetch would have put them.

    They iterate, count, index and test for existence from memory, as a prefetch's do. Anything that would chain
    (`filter`, `order_by`, `all`) gets the relation's real queryset, built from the record only then, so it
    answers from the database exactly as Django's prefetched queryset would."""

    def _real(self) -> QuerySet:
        base, field, parent = self._vig_relation
        base = base() if callable(base) else base
        if base is None:
            base = field.model._default_manager.all()
        return base.filter(**{field.attname: parent.pk})

    def _chain(self):
        return self._real()._chain()

    def _clone(self):
        return self._real()._clone()


def attach(parents, name: str, rows, base: Callable[[], QuerySet] | None = None) -> None:
    """Give each of `parents` its related rows under `name` (a reverse foreign key), as `prefetch_related` would:
    `parent.<name>.all()` answers from them without a query, and each row knows its parent. `base` makes the
    queryset the rows came from (a prefetch's `queryset=`, in force only, say), for anything that filters further:
    a function, called only then, since building a queryset (an annotation, a join) costs a page that never
    chains more than reading the rows did (issue 20)."""
    parents = list(parents)
    if not parents:
        return
    relation = parents[0]._meta.get_field(name)
    field = relation.field  # the foreign key on the rows' model
    cache_name = relation.cache_name
    by_parent: dict = {}
    for row in rows:
        by_parent.setdefault(getattr(row, field.attname), []).append(row)
    for parent in parents:
        own = by_parent.get(parent.pk, [])
        for row in own:
            field.set_cached_value(row, parent)
        attached = AttachedRows(model=relation.related_model)
        attached._result_cache = own
        attached._prefetch_done = True
        attached._vig_relation = (base, field, parent)
        if not hasattr(parent, "_prefetched_objects_cache"):
            parent._prefetched_objects_cache = {}
        parent._prefetched_objects_cache[cache_name] = attached
