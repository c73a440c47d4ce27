"""A referral: the family, the referrer, why VIG, what is safe, and where it is in triage.

Statuses change only through `referrals.actions` using the table in `referrals.states`. Every change is kept in
the referral's own history (`ReferralEvent`, destroyed with the referral); every look at it goes to the access
log (`accounts.AccessEvent`, which outlives it).
"""

import functools

from django.conf import settings
from django.db import connection, models
from django.db.models import Case, Exists, F, OuterRef, Prefetch, Q, Value, When
from django.db.models.expressions import RawSQL
from django.utils import timezone

from accounts.models import Membership, ReferralSource, Role, Service, Site
from accounts.permissions import Perm, scope_q
from core import languages, postcodes
from core.lookups import ContainsPattern, StartsWithPattern, among, like_pattern
from core.prepared import IDS, attach, prepared
from core.text import LONG_TEXT_MAX_LENGTH, NOTE_MAX_LENGTH, SafeCharField, SafeTextField
from web.markup import choice_label

from .states import DISCHARGED_END_REASON, OPEN_STATUSES, ReferralStatus

# A postal address: five lines of a hundred characters is more than any real one.
ADDRESS_MAX_LENGTH = 500


class SafeguardingStatus(models.TextChoices):
    NONE_KNOWN = "none_known", "None known"
    CHILD_IN_NEED = "child_in_need", "Child in need"
    CHILD_PROTECTION = "child_protection", "Child protection plan"
    LOOKED_AFTER = "looked_after", "Looked after child"
    UNKNOWN = "unknown", "Unknown"


class Concern(models.TextChoices):
    """Reasons for referral: seed 003's checklist."""

    LACK_OF_WARMTH = "lack_of_warmth", "A lack of emotional warmth in the relationship"
    NEGATIVE_RESPONSES = "negative_responses", "A predominance of negative responses to the child"
    CHILDS_VIEW = "childs_view", "Not able to see the world from the child's point of view"
    BONDING = "bonding", "Difficulty bonding with the baby, or missed the chance to bond when younger"
    NEW_RELATIONSHIP = "new_relationship", "Early stages of developing a relationship with the child"
    OTHER_PROGRAMMES = "other_programmes", "Needs support to put learning from other programmes into practice"
    SEND = "send", "The child's SEND makes their cues and communication complex"


class YesNoUnknown(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    UNKNOWN = "unknown", "Not known"


class EthnicCategory(models.TextChoices):
    """NHS Data Dictionary ethnic category codes."""

    A = "A", "White – British"
    B = "B", "White – Irish"
    C = "C", "White – Any other White background"
    D = "D", "Mixed – White and Black Caribbean"
    E = "E", "Mixed – White and Black African"
    F = "F", "Mixed – White and Asian"
    G = "G", "Mixed – Any other mixed background"
    H = "H", "Asian or Asian British – Indian"
    J = "J", "Asian or Asian British – Pakistani"
    K = "K", "Asian or Asian British – Bangladeshi"
    L = "L", "Asian or Asian British – Any other Asian background"
    M = "M", "Black or Black British – Caribbean"
    N = "N", "Black or Black British – African"
    P = "P", "Black or Black British – Any other Black background"
    R = "R", "Other ethnic groups – Chinese"
    S = "S", "Other ethnic groups – Any other ethnic group"
    Z = "Z", "Not stated"


class CommunicationFormat(models.TextChoices):
    """Accessible Information Standard: the format information must be given in."""

    NONE = "", "No particular format"
    LARGE_PRINT = "large_print", "Large print"
    EASY_READ = "easy_read", "Easy read"
    BRAILLE = "braille", "Braille"
    AUDIO = "audio", "Audio"
    EMAIL = "email", "Email"
    BSL = "bsl", "British Sign Language"
    OTHER = "other", "Other (describe in support needed)"


# The referral's fields in the order a coordinator meets them; forms, actions, history and the API share these.
REFERRER_FIELDS = [
    "site",
    "date_received",
    "referral_source",
    "referrer_name",
    "referrer_role",
    "referrer_organisation",
    "referrer_contact",
]
CHILD_FIELDS = [
    "child_unborn",
    "child_name",
    "child_date_of_birth",
    "expected_delivery_date",
    "child_nhs_number",
    "child_send",
    "child_send_details",
]
HANDOVER_FIELDS = [
    "gp_practice",
    "named_health_visitor",
    "named_health_visitor_team",
    "named_health_visitor_address",
    "named_health_visitor_contact",
]
REASON_FIELDS = [
    "concerns",
    "reason_details",
    "attachment_concerns",
    "mental_health_concerns",
    "hoped_for_change",
    "change_agreed_with_parent",
    "impact_on_child",
    "parent_consented_to_referral",
    "prfq_completed",
]
SAFETY_FIELDS = ["safeguarding_status", "risks_to_staff", "confidential_address", "bereavement"]
REFERRAL_FIELDS = [
    *REFERRER_FIELDS,
    *CHILD_FIELDS,
    *HANDOVER_FIELDS,
    *REASON_FIELDS,
    "question_answers",
    *SAFETY_FIELDS,
]
MOVED_SITE_FLAG = "Moved site: check allocation"

# The people on a referral, as the actions, forms and API take them.
PARENT_FIELDS = [
    "name",
    "relationship",
    "date_of_birth",
    "nhs_number",
    "address",
    "postcode",
    "phone",
    "preferred_language",
    "letter_language",
    "interpreter_needed",
    "communication_format",
    "communication_support",
    "ethnic_category",
]
OTHER_CHILD_FIELDS = ["name", "date_of_birth", "consent_to_filming"]


class ReferralQuerySet(models.QuerySet):
    _family_attached = False  # `with_record_details(for_api=False)`: parents, children, allocations attached
    _parents_listed = False  # `with_list_details` or `with_api_row_details`: each row's `listed_parents` set

    def _clone(self):
        clone = super()._clone()
        clone._family_attached = self._family_attached
        clone._parents_listed = self._parents_listed
        return clone

    def _fetch_all(self):
        """As Django's; then what a prefetch would have added, read with SQL compiled once per process: for a page's
        record the family's parents, other children and allocations (`attach_family`), for a list's rows their
        parents (`list_parents`)."""
        fetching = self._result_cache is None
        super()._fetch_all()
        if fetching and self._iterable_class is models.query.ModelIterable:
            self.rows_fetched(self._result_cache)

    def rows_fetched(self, referrals: list) -> None:
        """Attach what this queryset's rows carry (`_fetch_all`); a prepared read (`core.prepared`) calls it after
        making the same rows."""
        if self._family_attached:
            attach_family(referrals)
        if self._parents_listed:
            list_parents(referrals)

    def visible_to(self, user, perm: Perm = Perm.REFERRAL_VIEW):
        """Referrals the user may see: their services' and sites', or the families they (or their trainees) hold.

        Who holds a family is `AllocationQuerySet.holding()`, the one definition the object check
        (`Referral.case_practitioner_ids`) reads too, so the list and the record cannot disagree (ADR 0012).
        """
        return self.filter(
            scope_q(
                user,
                perm,
                own_cases=lambda u: Q(pk__in=Allocation.objects.holding().filter(practitioner=u).values("referral_id")),
                supervised_cases=lambda u: Q(
                    pk__in=Allocation.objects.holding().filter(supervisor=u).values("referral_id")
                ),
            )
        )

    def search(self, *, nhs_number: str = "", name: str = "", date_of_birth=None, postcode: str = "", service_ids=None):
        """Match child or parent; a confidential address is never matched by postcode (it would reveal it).

        Each term is `pk IN (child matches UNION parent matches)`, so each side uses its own index; an OR across
        the parents join (and the DISTINCT it needs) would scan and sort every visible referral instead. With
        `service_ids` (the services the searcher may search: a narrowing, never a widening, of `self`), a name is
        matched inside those services by the `(service_id, name)` trigram indexes, not across the country first.
        A name is matched as `name_search_key` writes it (capitals, no spaces, hyphens, full stops or apostrophes),
        so "obrien smith" finds "O'Brien-Smith" and "O’Brien" finds "O'Brien".
        """
        values = search_values(nhs_number=nhs_number, name=name, date_of_birth=date_of_birth, postcode=postcode)
        return self.none() if values is None else self.matching(values, service_ids=service_ids)

    def matching(self, values: dict, *, service_ids=None):
        """The rows matching a search's values (`search_values`: each term as the one parameter its SQL takes), as
        `search` describes; the search page compiles this once per shape (`referrals.reads.search`)."""
        found = self
        within = _in_services(service_ids) if service_ids is not None else Q()
        if "nhs_number" in values:
            number = values["nhs_number"]
            found = found.filter(pk__in=_child_or_parent(Q(child_nhs_number=number), Q(nhs_number=number)))
        if "name" in values:
            pattern = values["name"]
            found = found.filter(
                pk__in=_child_or_parent(
                    Q(ContainsPattern(F("child_name_key"), pattern)) & within,
                    Q(ContainsPattern(F("name_key"), pattern)) & within,
                    child_alias={"child_name_key": _name_key_of("child_name")},
                    parent_alias={"name_key": _name_key_of("name")},
                )
            )
        if "date_of_birth" in values:
            born = values["date_of_birth"]
            found = found.filter(pk__in=_child_or_parent(Q(child_date_of_birth=born), Q(date_of_birth=born)))
        for kind in POSTCODE_TERMS:
            if kind in values:
                parents = (
                    Parent.objects.filter(_postcode_condition(kind, values[kind])).order_by().values("referral_id")
                )
                found = found.filter(pk__in=parents, confidential_address=False)
        return found

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def awaiting_triage(self):
        return self.filter(status__in=[ReferralStatus.RECEIVED, ReferralStatus.AWAITING_INFORMATION])

    def with_reallocation_flag(self):
        """Annotate `allocation_outside_site`: the family's current practitioner works only at other sites of the
        service (the family moved site, or the practitioner's sites changed). One subquery, not a loop.

        The subquery is built once per process (`_outside_site_exists`): it holds no value of the request, and
        building its three nested querysets cost every list page about a millisecond of CPU."""
        return self.annotate(allocation_outside_site=_outside_site_exists())

    def with_list_details(self):
        """Everything a list row shows (flags included), in a fixed number of queries, and only that: the columns
        of `LIST_ROW_FIELDS` (a referral has some 70 and a parent 20; building them all was a tenth of a 50-row
        search's CPU). The parents come as a plain list (`Referral.parent_list`): a prefetch into `parents.all()`
        builds a filtered queryset per row, another tenth. A row that read any other column would cost a query per
        row: `tests/referrals/test_list_columns.py` refuses one on every list."""
        listed = (
            self.select_related("service", "site", "referral_source")
            .only(*self.LIST_ROW_FIELDS)
            .with_reallocation_flag()
        )
        listed._parents_listed = True
        return listed

    # What every list row reads, page or API: its status, wait and flags (`Referral.flags`) and the child's name.
    ROW_FIELDS = (
        "status",
        "date_received",
        "closed_at",
        "eligible",
        "safeguarding_status",
        "confidential_address",
        "risks_to_staff",
        "bereavement",
        "child_unborn",
        "child_name",
    )
    # What a list page's row reads besides (the triage queue, waiting list, search and possible duplicates: their
    # rows' tags in `referral_tags`, `waiting_rows`, the allocation check), and nothing else.
    LIST_ROW_FIELDS = (
        "service",
        "site",
        "referral_source",
        *ROW_FIELDS,
        "awaiting_information_since",
        "days_awaiting_information",
        "child_date_of_birth",
        "expected_delivery_date",
    )
    # What an API list row reads (`ReferralListOut.to_representation`), and nothing else.
    API_ROW_FIELDS = ("service__slug", "site__name", *ROW_FIELDS)

    def with_api_row_details(self):
        """`with_list_details` for the API's list rows: only the columns a row shows, of the referral, its service,
        site and parents. A referral row has some 70 columns and a parent 20; reading and building them all was
        about 1.5 ms of a 50-row page's CPU. A row that read any other field would cost a query per row: the list's
        query-count test would fail."""
        listed = self.select_related("service", "site").only(*self.API_ROW_FIELDS).with_reallocation_flag()
        listed._parents_listed = True
        return listed

    def with_record_details(self, *, for_api: bool = True):
        """Everything the family's record (page or API) shows and its permission checks read, in fixed queries:
        who holds the family and who held it, and (`for_api`) what only the API's record shows: the triage decisions,
        the timeline, and who allocated and ended each allocation. Pages leave those out, as each is a query (or a
        join) on every page about the family: the record page reads its timeline as plain rows
        (`reads.events.timeline_of`), and the one page that needs the decisions (drafting a decline letter) asks."""
        loaded = self.select_related("service", "site", "referral_source", "created_by").with_reallocation_flag()
        if not for_api:
            # A page's one family: its parents, children and allocations are attached by `attach_family`.
            loaded._family_attached = True
            return loaded
        people = ["practitioner", "supervisor", "allocated_by", "ended_by"]
        return loaded.prefetch_related(
            "parents",
            "other_children",
            Prefetch("triage_decisions", queryset=TriageDecision.objects.select_related("decided_by")),
            Prefetch("events", queryset=ReferralEvent.objects.select_related("actor")),
            Prefetch("allocations", queryset=Allocation.objects.with_holding().select_related(*people)),
        )


@functools.cache
def _holding_q() -> Q:
    """THE rule of who holds a family, as a condition on allocations: the active allocation, or, while the family is
    discharged, the family's last allocation if the discharge ended it (its practitioner still finishes the letters
    and confirms the footage's destruction). After a reopen and a second discharge only the last one counts.

    Lists filter with it (`visible_to`); the object check annotates the family's allocations with it
    (`with_holding`), so both are answered by the same SQL. Built once per process (as `_outside_site_exists`):
    filtering resolves a copy of it, and building it cost every practitioner's page and every record a fraction of a
    millisecond.
    """
    later = Allocation.objects.filter(referral_id=OuterRef("referral_id")).filter(
        Q(allocated_at__gt=OuterRef("allocated_at")) | Q(allocated_at=OuterRef("allocated_at"), pk__gt=OuterRef("pk"))
    )
    ended_by_discharge = Q(referral__status=ReferralStatus.DISCHARGED, end_reason=DISCHARGED_END_REASON) & ~Exists(
        later
    )
    return Q(ended_at__isnull=True) | ended_by_discharge


@functools.cache
def _holds_family() -> Case:
    """`_holding_q` as a true/false value, built once (annotating resolves a copy)."""
    return Case(When(_holding_q(), then=Value(True)), default=Value(False))


@functools.cache
def _outside_site_exists() -> Exists:
    """`Exists(_allocations_outside_site())`, built once: annotating copies it (Django resolves a copy against each
    outer query), so sharing it between requests and threads is what reusing any queryset in a subquery does."""
    return Exists(_allocations_outside_site())


def _allocations_outside_site():
    """Active allocations of the outer referral whose practitioner's membership in its service is limited to
    sites, none of them the referral's site. A membership with no sites covers every site."""

    def memberships():
        return Membership.objects.filter(
            user_id=OuterRef("practitioner_id"), service_id=OuterRef(OuterRef("service_id")), role=Role.PRACTITIONER
        )

    return Allocation.objects.filter(referral_id=OuterRef("pk"), ended_at__isnull=True).filter(
        Exists(memberships().filter(sites__isnull=False)),
        ~Exists(memberships().filter(sites=OuterRef(OuterRef("site_id")))),
    )


def _in_services(service_ids) -> Q:
    """`service_id` among these, written for the `(service_id, name)` trigram indexes on PostgreSQL: btree_gin's
    bigint operator class takes only bigint values, so the ids go in as a bigint array (Django's `IN (1, 2)` is
    integers, which the index cannot use, and the service would be checked row by row after the name)."""
    ids = sorted(int(pk) for pk in service_ids)
    if connection.vendor != "postgresql":
        return Q(service_id__in=ids)
    return Q(RawSQL("service_id = ANY(%s::bigint[])", (ids,), output_field=models.BooleanField()))


def _child_or_parent(child: Q, parent: Q, *, child_alias=None, parent_alias=None):
    """Ids of referrals whose child matches `child` or with a parent matching `parent`, as one subquery (each side
    may first name expressions to filter on: `child_alias`, `parent_alias`)."""
    children = Referral.objects.alias(**(child_alias or {})).filter(child).order_by().values("pk")
    return children.union(Parent.objects.alias(**(parent_alias or {})).filter(parent).order_by().values("referral_id"))


# What a name search leaves out of a name and of the words searched for, so the ways a name is written are one:
# "O'Brien-Smith", "O’Brien Smith", "OBrien-Smith" and "obriensmith" (migration 0017 indexes exactly this).
NAME_SEARCH_DROPS = (" ", "-", ".", "'", "\u2019")


class NameSearchKey(models.Func):
    """`name_search_key` in SQL, over a column: the expression the trigram indexes of migration 0017 hold, written
    out with its constants (one function to compile, not ten nested ones with their parameters). PostgreSQL uses the
    index only while this stays, character for character, the expression the migration created."""

    template = (
        "UPPER(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(%(expressions)s, ' ', ''), '-', ''), '.', ''), '''', ''), "
        "'\u2019', ''))"
    )
    output_field = models.CharField()


def _name_key_of(field: str) -> NameSearchKey:
    return NameSearchKey(F(field))


def name_search_key(text: str) -> str:
    """Words searched for, as a name search compares them: capitals, without spaces (or any white space), hyphens,
    full stops or apostrophes. A letter whose capital is two letters in Python (ß → SS) is kept as it is, as
    PostgreSQL's UPPER keeps it, or "Strauß" would never find "Strauß"."""
    text = "".join(c if len(c.upper()) > 1 else c.upper() for c in (text or ""))
    for dropped in NAME_SEARCH_DROPS:
        text = text.replace(dropped, "")
    return "".join(text.split())


# A postcode searched for is matched exactly (a full postcode) or by its start (`search_values`).
POSTCODE_TERMS = ("postcode", "postcode_start")


def _postcode_term(term: str) -> tuple[str, str]:
    """Postcodes are stored normalised ('PE1 1AA'): a full postcode matches exactly, a district ('PE1') matches
    its own postcodes but not PE13's, anything else by its start. Case-sensitive, so the index serves it."""
    term = postcodes.normalise(term)
    if " " in term and len(term.split(" ")[1]) == 3:
        return "postcode", term
    if " " not in term and term[-1:].isdigit():
        return "postcode_start", like_pattern(f"{term} ", "{}%")
    return "postcode_start", like_pattern(term, "{}%")


def _postcode_condition(kind: str, value: str) -> Q:
    """A parent's postcode as `_postcode_term` says: equal to it, or starting as its pattern says."""
    return Q(postcode=value) if kind == "postcode" else Q(StartsWithPattern(F("postcode"), value))


def search_values(*, nhs_number: str = "", name: str = "", date_of_birth=None, postcode: str = "") -> dict | None:
    """A search's terms as the values its SQL takes, by what each matches, in a fixed order: the NHS number, the
    name as a LIKE pattern of its `name_search_key`, the date of birth, the postcode (exact, or a pattern for its
    start). Which names there are is all that changes the statement. None where nothing can match (a name of only
    spaces and punctuation)."""
    values = {}
    if nhs_number:
        values["nhs_number"] = nhs_number
    if name:
        key = name_search_key(name)
        if not key:
            return None
        values["name"] = like_pattern(key, "%{}%")
    if date_of_birth:
        values["date_of_birth"] = date_of_birth
    if postcode:
        kind, value = _postcode_term(postcode)
        values[kind] = value
    return values


class Referral(models.Model):
    """One family referred to one service."""

    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="referrals")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="referrals")
    status = models.CharField(max_length=24, choices=ReferralStatus.choices, default=ReferralStatus.RECEIVED)
    date_received = models.DateField()
    referral_source = models.ForeignKey(ReferralSource, on_delete=models.PROTECT, related_name="referrals")
    referrer_name = SafeCharField(max_length=200)
    referrer_role = SafeCharField(max_length=200)
    referrer_organisation = SafeCharField(max_length=200)
    referrer_contact = SafeCharField(max_length=300, help_text="Phone number or secure email address.")

    # The child
    child_unborn = models.BooleanField(default=False)
    child_name = SafeCharField(max_length=200, blank=True)
    child_date_of_birth = models.DateField(null=True, blank=True)
    expected_delivery_date = models.DateField(null=True, blank=True)
    child_nhs_number = models.CharField(max_length=10, blank=True, db_index=True)
    child_send = models.BooleanField("Child has special educational needs or disabilities", default=False)
    child_send_details = SafeTextField(max_length=LONG_TEXT_MAX_LENGTH, blank=True)
    birth_recorded_at = models.DateTimeField(null=True, blank=True)

    # Handover later
    gp_practice = SafeCharField(max_length=200, blank=True)
    named_health_visitor = SafeCharField(max_length=200, blank=True)
    # The handover letter is addressed to the health visitor's name, team and postal address (issue 19).
    named_health_visitor_team = SafeCharField("Health visitor's team", max_length=200, blank=True)
    named_health_visitor_address = SafeTextField(
        "Health visitor's postal address", max_length=ADDRESS_MAX_LENGTH, blank=True
    )
    named_health_visitor_contact = SafeCharField(max_length=300, blank=True)

    # Why VIG
    concerns = models.JSONField(default=list, blank=True)
    reason_details = SafeTextField(max_length=LONG_TEXT_MAX_LENGTH, blank=True)
    attachment_concerns = SafeTextField(max_length=LONG_TEXT_MAX_LENGTH, blank=True)
    mental_health_concerns = SafeTextField(max_length=LONG_TEXT_MAX_LENGTH, blank=True)
    hoped_for_change = SafeTextField(max_length=LONG_TEXT_MAX_LENGTH, blank=True)
    change_agreed_with_parent = models.CharField(
        max_length=8, choices=YesNoUnknown.choices, default=YesNoUnknown.UNKNOWN
    )
    impact_on_child = SafeTextField(max_length=LONG_TEXT_MAX_LENGTH, blank=True)
    parent_consented_to_referral = models.BooleanField(default=False)
    prfq_completed = models.BooleanField("PRFQ completed before referral", default=False)
    question_answers = models.JSONField(default=dict, blank=True)

    # Safety
    safeguarding_status = models.CharField(max_length=20, choices=SafeguardingStatus.choices)
    risks_to_staff = SafeTextField(max_length=LONG_TEXT_MAX_LENGTH, blank=True)
    confidential_address = models.BooleanField(default=False)
    bereavement = models.BooleanField("Bereavement or pregnancy loss: stop routine contact and letters", default=False)

    # Eligibility as computed when last checked
    eligible = models.BooleanField(null=True)
    eligibility_reasons = models.JSONField(default=list, blank=True)
    eligibility_checked_at = models.DateTimeField(null=True, blank=True)

    # The wait clock starts at date_received; time awaiting information is shown beside it, not subtracted.
    awaiting_information_since = models.DateField(null=True, blank=True)
    days_awaiting_information = models.PositiveIntegerField(default=0)
    triaged_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_reason = SafeTextField(max_length=NOTE_MAX_LENGTH, blank=True)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["date_received", "pk"]
        indexes = [
            models.Index(fields=["service", "status", "date_received"]),
            # The lists' order (date_received, id): a page of 50 is read in order, not sorted from every row.
            models.Index(fields=["date_received", "id"], name="referral_received_order"),
            models.Index(fields=["service", "date_received", "id"], name="referral_service_received"),
            # Families still open at a date (the commissioner return's waiting list at a quarter's end): the open
            # ones and those closed since, not ten years of closed families.
            models.Index(fields=["service", "closed_at"], name="referral_service_closed"),
            # Open work in the order each page lists it (ADR 0024): the triage queue and the waiting list read a
            # page from these, however many closed families the service has; a backlog of thousands is a few pages
            # of index, and the capped count reads only these entries.
            models.Index(
                fields=["service", "date_received", "id"],
                condition=Q(status__in=["received", "awaiting_information"]),
                name="referral_triage_order",
            ),
            models.Index(
                fields=["service", "date_received", "id"],
                condition=Q(status="accepted"),
                name="referral_waiting_order",
            ),
            # The allocated families' ids per service, read from the index alone: open caseloads (the caseloads
            # page, the dashboard, the candidates) join each to its active allocation without visiting the table.
            models.Index(
                fields=["service"], include=["id"], condition=Q(status="allocated"), name="referral_allocated_ids"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(child_unborn=True, child_date_of_birth__isnull=True, expected_delivery_date__isnull=False)
                | Q(child_unborn=False, child_date_of_birth__isnull=False),
                name="referral_child_born_or_expected",
            ),
            models.CheckConstraint(
                condition=Q(awaiting_information_since__isnull=True) | Q(status="awaiting_information"),
                name="referral_awaiting_since_only_when_awaiting",
            ),
        ]

    def __str__(self) -> str:
        return f"Referral {self.reference}"

    @property
    def reference(self) -> str:
        return self.reference_of(self.pk)

    @staticmethod
    def reference_of(pk: int | None) -> str:
        """A referral's reference from its id alone, for lists that name a family without loading its record."""
        return f"R{pk:06d}" if pk else "new"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def parent_list(self) -> list["Parent"]:
        """The parents in order. A list page's rows (`with_list_details`) hold them as a plain list
        (`listed_parents`), which costs Django no queryset per row; otherwise they are read as `parents.all()`."""
        listed = self.__dict__.get("listed_parents")
        return listed if listed is not None else list(self.parents.all())

    @property
    def first_parent(self):
        parents = self.parent_list
        return parents[0] if parents else None

    @property
    def child_display_name(self) -> str:
        if self.child_unborn:
            return "Unborn baby"
        return self.child_name or "Child (name not given)"

    def days_waiting(self, today=None) -> int:
        """Days since the referral was received (the wait clock never pauses)."""
        today = today or timezone.localdate()
        end = self.closed_at.date() if self.closed_at else today
        return max((end - self.date_received).days, 0)

    def total_days_awaiting_information(self, today=None) -> int:
        today = today or timezone.localdate()
        current = (today - self.awaiting_information_since).days if self.awaiting_information_since else 0
        return self.days_awaiting_information + max(current, 0)

    def case_practitioner_ids(self) -> set[int]:
        """Who holds the family as practitioner, by `AllocationQuerySet.holding()` (the lists' rule too)."""
        return {practitioner for practitioner, _ in self._case_holders()}

    def case_supervisor_ids(self) -> set[int]:
        """Who holds the family as the trainee's supervisor, by the same rule."""
        return {supervisor for _, supervisor in self._case_holders() if supervisor}

    def _case_holders(self) -> list[tuple[int, int | None]]:
        """(practitioner, supervisor) of the allocations through which the family is held. Read from allocations
        prefetched with `with_holding()` (no query), else asked of the database with the same condition."""
        prefetched = getattr(self, "_prefetched_objects_cache", {}).get("allocations")
        if prefetched is not None and all(hasattr(a, "holds_family") for a in prefetched):
            return [(a.practitioner_id, a.supervisor_id) for a in prefetched if a.holds_family]
        if self.pk is None:
            return []
        return list(
            Allocation.objects.holding().filter(referral_id=self.pk).values_list("practitioner_id", "supervisor_id")
        )

    def _active_allocations(self):
        return [a for a in self.allocations.all() if a.ended_at is None]

    @property
    def active_allocation(self):
        active = self._active_allocations()
        return active[0] if active else None

    @property
    def needs_reallocation(self) -> bool:
        """The current practitioner does not work at the family's site: shown until reallocated (or the
        practitioner's sites cover it). Read from `with_reallocation_flag()`; one query if not annotated."""
        if hasattr(self, "allocation_outside_site"):
            return bool(self.allocation_outside_site)
        if self.pk is None:
            return False
        return (
            Referral.objects.filter(pk=self.pk).with_reallocation_flag().filter(allocation_outside_site=True).exists()
        )

    def flags(self) -> list[str]:
        """Short warnings every list shows beside the family."""
        flags = []
        if self.needs_reallocation:
            flags.append(MOVED_SITE_FLAG)
        if self.safeguarding_status not in (SafeguardingStatus.NONE_KNOWN, ""):
            flags.append(f"Safeguarding: {choice_label(self, 'safeguarding_status').lower()}")
        if self.confidential_address:
            flags.append("Confidential address")
        if self.risks_to_staff.strip():
            flags.append("Risks to staff")
        if any(p.interpreter_needed for p in self.parent_list):
            flags.append("Interpreter")
        if self.bereavement:
            flags.append("Bereavement: no routine contact")
        return flags


class Parent(models.Model):
    """A parent or carer named on the referral."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="parents")
    # The referral's service, copied here (set on save from the referral; a referral never changes service) so a
    # name search is answered inside one service by one index, `(service_id, NameSearchKey(name))` with btree_gin and
    # pg_trgm: with a million families a common name matches tens of thousands of parents nationally (migrations
    # 0014 and 0017, ADR 0024).
    service = models.ForeignKey(
        "accounts.Service", on_delete=models.PROTECT, related_name="+", editable=False, db_index=False
    )
    order = models.PositiveSmallIntegerField(default=1)
    name = SafeCharField(max_length=200)
    relationship = SafeCharField(max_length=100, blank=True, help_text="For example mother, father, carer.")
    date_of_birth = models.DateField()
    nhs_number = models.CharField(max_length=10, blank=True, db_index=True)
    address = SafeTextField(max_length=ADDRESS_MAX_LENGTH, blank=True)
    postcode = SafeCharField(max_length=8, blank=True, db_index=True)
    phone = SafeCharField(max_length=40, blank=True)
    preferred_language = SafeCharField(max_length=100, default="English")
    # The ISO 639 code the family's letters are written in (core.languages): what a service's translated wording is
    # matched on. Blank only on records from before it was asked and not readable from `preferred_language`.
    letter_language = models.CharField(
        "Language for letters",
        max_length=languages.CODE_MAX_LENGTH,
        choices=languages.CHOICES,
        blank=True,
        help_text="Leave empty to use the preferred language above, if it is one in this list.",
    )
    interpreter_needed = models.BooleanField(default=False)
    communication_format = models.CharField(max_length=20, choices=CommunicationFormat.choices, blank=True)
    communication_support = SafeTextField(max_length=NOTE_MAX_LENGTH, blank=True)
    ethnic_category = models.CharField(max_length=1, choices=EthnicCategory.choices, default=EthnicCategory.Z)

    class Meta:
        ordering = ["referral_id", "order", "pk"]
        indexes = [
            # A parent by date of birth: the duplicate check (name and date of birth) and the search by date of
            # birth, each a handful of rows, not a walk over the service's parents.
            models.Index(fields=["date_of_birth"], name="parent_birth_date"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        """Copies the referral's service (bulk writers set `service_id` themselves)."""
        if self.service_id is None and self.referral_id is not None:
            self.service_id = self.referral.service_id
        super().save(*args, **kwargs)


class OtherChild(models.Model):
    """A child aged 12 or over who may appear in the filming and must give their own consent."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="other_children")
    name = SafeCharField(max_length=200)
    date_of_birth = models.DateField(null=True, blank=True)
    consent_to_filming = models.CharField(max_length=8, choices=YesNoUnknown.choices, default=YesNoUnknown.UNKNOWN)

    class Meta:
        ordering = ["referral_id", "pk"]

    def __str__(self) -> str:
        return self.name


class TriageDecisionKind(models.TextChoices):
    ACCEPT = "accept", "Accept onto the waiting list"
    DECLINE = "decline", "Decline"
    REQUEST_INFORMATION = "request_information", "Request more information"


class TriageDecision(models.Model):
    """A coordinator's decision on a referral, with who, when and why."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="triage_decisions")
    decision = models.CharField(max_length=24, choices=TriageDecisionKind.choices)
    reason = SafeTextField(max_length=NOTE_MAX_LENGTH, blank=True)
    missing_information = SafeTextField(max_length=NOTE_MAX_LENGTH, blank=True)
    eligible_when_decided = models.BooleanField(null=True)
    override_reason = SafeTextField(max_length=NOTE_MAX_LENGTH, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["decided_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(decision="decline") | ~Q(reason=""), name="triage_decline_needs_reason"
            ),
            models.CheckConstraint(
                condition=~Q(decision="request_information") | ~Q(missing_information=""),
                name="triage_request_information_says_what",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} ({self.decided_at:%d %b %Y})"


class ReferralEvent(models.Model):
    """The referral's own history: every change and decision, with old and new values. Goes with the record."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=40)
    summary = SafeCharField(max_length=300)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [
            # The audit viewer (issue 13): a family's history and a person's changes, newest first.
            models.Index(fields=["referral", "-at", "-id"], name="referralevent_referral_at"),
            models.Index(fields=["actor", "-at", "-id"], name="referralevent_actor_at"),
            # The audit viewer's unfiltered page (issue 21): the newest changes first, checked against the viewer's
            # families as it walks, instead of sorting a service's whole history.
            models.Index(fields=["-at", "-id"], name="referralevent_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%d %b %Y %H:%M} {self.summary}"


class EligibilityRuleKind(models.TextChoices):
    AGE_WINDOW = "age_window", "Child's age on the referral date"
    REFERRAL_SOURCE = "referral_source", "Accepted referral sources"
    REQUIRED_ANSWERS = "required_answers", "Referral fields that must be completed"
    REQUIRED_QUESTIONS = "required_questions", "Service's required referral questions answered"
    CATCHMENT = "catchment", "Family lives in the site's catchment"


class EligibilityRule(models.Model):
    """One rule of a service's eligibility; all of a service's rules must pass (AND).

    params by kind — age_window: {"antenatal": bool, "min_months": int?, "max_months": int? (exclusive)};
    referral_source: {"sources": [names]?} (default: the service's active sources);
    required_answers: {"fields": [referral field names]}; required_questions and catchment: {}.
    """

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="eligibility_rules")
    kind = models.CharField(max_length=24, choices=EligibilityRuleKind.choices)
    params = models.JSONField(default=dict, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["service_id", "order", "pk"]

    def __str__(self) -> str:
        return f"{self.service}: {self.get_kind_display()}"


class AllocationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(ended_at__isnull=True)

    def holding(self):
        """The allocations through which their practitioner and supervisor hold the family now (`_holding_q`)."""
        return self.filter(_holding_q())

    def with_holding(self):
        """Each allocation annotated `holds_family` by the same rule: prefetch a family's allocations this way and
        its permission checks need no further query."""
        return self.annotate(holds_family=_holds_family())


class Allocation(models.Model):
    """Who holds a referral. At most one active allocation per referral, ever (database constraint).

    Reallocation ends the current row with a reason and starts a new one, so the history stays.
    `supervisor` is the trainee's supervisor at the time, kept in step when a trainee's supervisor changes.
    """

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="allocations")
    practitioner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="allocations")
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="supervised_allocations"
    )
    allocated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    allocated_at = models.DateTimeField(default=timezone.now)
    over_capacity_reason = SafeTextField(max_length=NOTE_MAX_LENGTH, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    end_reason = SafeTextField(max_length=NOTE_MAX_LENGTH, blank=True)

    objects = AllocationQuerySet.as_manager()

    class Meta:
        ordering = ["allocated_at", "pk"]
        indexes = [
            # Open caseloads count only active allocations: a few per practitioner among years of ended ones.
            models.Index(
                fields=["practitioner"], condition=Q(ended_at__isnull=True), name="allocation_active_by_pract"
            ),
            models.Index(fields=["supervisor"], condition=Q(ended_at__isnull=True), name="allocation_active_by_super"),
            # The dashboard reads the allocations made in a period (first allocations, waits to allocation).
            models.Index(fields=["allocated_at"], name="allocation_made_at"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["referral"], condition=Q(ended_at__isnull=True), name="one_active_allocation_per_referral"
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True, ended_by__isnull=True)
                | Q(ended_at__isnull=False, ended_by__isnull=False),
                name="allocation_ended_at_and_by_together",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.referral} → {self.practitioner}"


class FamilyChange(models.Model):
    """The summaries' outbox (ADR 0022): "this family's record changed", written by `history.record_change` in the
    action's own transaction, ids only. The dashboards app (a layer above, which casework may not import) works each
    row off by recomputing that family's summary from its raw rows, then deletes it: a task sent after commit does
    it at once, the dashboard itself does it for its service before it reads (so a figure is never stale, even with
    the worker down), and a beat sweep does what both missed. A family's change commits with its outbox row or not
    at all."""

    is_family_record = False  # derived from the family's records: never shown or logged as one (audit)

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["service", "id"], name="familychange_service")]

    def __str__(self) -> str:
        return f"Family {self.referral_id} changed at {self.at:%d %b %Y %H:%M}"


def attach_family(referrals: list) -> None:
    """Each referral's parents, other children and allocations (who holds the family, with the practitioner and
    supervisor), as `with_record_details` prefetches them. For the one family a record page loads, three reads by
    its id compiled once per process (`core.prepared`); for several, Django's prefetch."""
    if len(referrals) != 1:
        models.prefetch_related_objects(referrals, "parents", "other_children", Prefetch("allocations", _held()))
        return
    referral_id = referrals[0].pk
    attach(referrals, "parents", _family_parents(referral_id))
    attach(referrals, "other_children", _family_other_children(referral_id))
    attach(referrals, "allocations", _family_allocations(referral_id), _held)


def _held():
    return Allocation.objects.with_holding().select_related("practitioner", "supervisor")


@prepared()
def _family_parents(referral_id):
    return Parent.objects.filter(referral_id=referral_id)


@prepared()
def _family_other_children(referral_id):
    return OtherChild.objects.filter(referral_id=referral_id)


@prepared()
def _family_allocations(referral_id):
    return _held().filter(referral_id=referral_id)


def list_parents(referrals: list) -> None:
    """Each row's parents as a plain list (`listed_parents`, read by `Referral.parent_list`), in one read of all the
    rows' parents compiled once per process (`core.prepared`): a list's prefetch compiled afresh for every page.
    Only the parents' columns a row shows are read."""
    if not referrals:
        return
    by_referral: dict[int, list] = {referral.pk: [] for referral in referrals}
    for parent in _row_parents(list(by_referral)):
        by_referral[parent.referral_id].append(parent)
    for referral in referrals:
        referral.listed_parents = by_referral[referral.pk]


@prepared(IDS)
def _row_parents(ids):
    return Parent.objects.filter(among("referral_id", ids)).only(
        "referral_id", "order", "name", "postcode", "interpreter_needed"
    )
