"""The one place that decides who may see and do what (portal.permissions)."""

import pytest
from django.contrib.auth.models import AnonymousUser

from municipalities.models import Municipality
from portal import permissions
from portal.models import Role, User
from tests.factories import MunicipalityFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_municipalities():
    return MunicipalityFactory(), MunicipalityFactory()


def test_municipal_staff_see_only_their_own_municipality(two_municipalities):
    own, other = two_municipalities
    for trait in ("consultant", "municipal_admin"):
        user = UserFactory(**{trait: True}, municipality=own)

        scoped = permissions.scope_to_user(
            Municipality.objects.all(), user, municipality_field=None
        )

        assert list(scoped) == [own]


def test_scope_by_a_foreign_key_field(two_municipalities):
    own, other = two_municipalities
    consultant = UserFactory(consultant=True, municipality=own)
    colleague = UserFactory(municipal_admin=True, municipality=own)
    UserFactory(consultant=True, municipality=other)

    scoped = permissions.scope_to_user(User.objects.exclude(pk=consultant.pk), consultant)

    assert list(scoped) == [colleague]


@pytest.mark.parametrize("trait", [{}, {"uwv_assessor": True}])
def test_citizens_and_assessors_get_nothing_from_the_municipal_scope(two_municipalities, trait):
    user = UserFactory(**trait)

    assert not permissions.scope_to_user(User.objects.all(), user).exists()


def test_operators_see_everything(two_municipalities):
    operator = UserFactory(operator=True)

    assert (
        permissions.scope_to_user(
            Municipality.objects.all(), operator, municipality_field=None
        ).count()
        == 2
    )


def test_anonymous_and_inactive_users_have_no_role():
    inactive = UserFactory(consultant=True, is_active=False)

    assert permissions.role_of(AnonymousUser()) is None
    assert permissions.role_of(inactive) is None
    assert not permissions.scope_to_user(User.objects.all(), inactive).exists()


def test_only_own_administrator_or_operator_manages_a_municipality(two_municipalities):
    own, other = two_municipalities
    admin = UserFactory(municipal_admin=True, municipality=own)
    consultant = UserFactory(consultant=True, municipality=own)

    assert permissions.can_manage_municipality(admin, own.pk)
    assert not permissions.can_manage_municipality(admin, other.pk)
    assert not permissions.can_manage_municipality(consultant, own.pk)
    assert permissions.can_manage_municipality(UserFactory(operator=True), other.pk)


def test_staff_are_created_only_by_an_administrator_of_the_same_municipality_or_an_operator(
    two_municipalities,
):
    own, other = two_municipalities
    admin = UserFactory(municipal_admin=True, municipality=own)

    assert permissions.can_create_staff(admin, Role.CONSULTANT, own.pk)
    assert not permissions.can_create_staff(admin, Role.CONSULTANT, other.pk)
    assert not permissions.can_create_staff(admin, Role.UWV_ASSESSOR, None)
    assert not permissions.can_create_staff(admin, Role.OPERATOR, None)
    assert not permissions.can_create_staff(UserFactory(consultant=True), Role.CONSULTANT, own.pk)
    assert not permissions.can_create_staff(UserFactory(), Role.CONSULTANT, own.pk)
    assert permissions.can_create_staff(UserFactory(operator=True), Role.UWV_ASSESSOR, None)


def test_consultants_work_only_the_cases_of_their_municipality(two_municipalities):
    own, other = two_municipalities
    consultant = UserFactory(consultant=True, municipality=own)

    assert permissions.can_work_cases_of(consultant, own.pk)
    assert not permissions.can_work_cases_of(consultant, other.pk)
    assert not permissions.can_work_cases_of(UserFactory(uwv_assessor=True), own.pk)


def test_role_required_answers_403_for_other_roles(rf):
    from django.core.exceptions import PermissionDenied

    @permissions.role_required(Role.CONSULTANT)
    def view(request):
        return "ok"

    request = rf.get("/")
    request.user = UserFactory(consultant=True)
    assert view(request) == "ok"
    request.user = UserFactory()
    with pytest.raises(PermissionDenied):
        view(request)
