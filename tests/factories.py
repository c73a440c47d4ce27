"""factory_boy factories for staff. Referrals are made through actions (see tests/referrals/helpers.py)."""

import factory
from faker import Faker

from accounts.models import Membership, Role, TrainingStatus, User

_names = Faker("en_GB")


def _surname(n: int) -> str:
    """A Faker surname made unique by the sequence number and without apostrophes, so a test that looks for one
    person's name on a page never finds another's ("Khan" twice) nor trips on HTML escaping ("O'Brien")."""
    return f"{_names.last_name().replace(chr(39), '')}{n}"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Sequence(_surname)
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.nhs.uk")
    password = factory.django.Password("a-long-test-password")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    role = Role.COORDINATOR
    training_status = factory.LazyAttribute(lambda m: TrainingStatus.ACCREDITED if m.role == Role.PRACTITIONER else "")

    @factory.post_generation
    def sites(self, create, extracted, **kwargs):
        if create and extracted:
            self.sites.set(extracted)


def staff(username: str, service, role: str, *, sites=(), training_status: str | None = None) -> User:
    """A member of staff with one membership: the shape most tests need."""
    user = UserFactory(username=username)
    kwargs = {"training_status": training_status} if training_status is not None else {}
    MembershipFactory(user=user, service=service, role=role, sites=list(sites), **kwargs)
    return user
