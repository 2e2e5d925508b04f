import pytest

from portal.roles import Role
from procedures.models import AdministrativeUnit, Assignment
from procedures.selectors import officer_scope, officer_scopes
from tests.factories import AgencyFactory, ReceptionPointFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db
Level = AdministrativeUnit.Level


@pytest.fixture
def two_communes():
    province = UnitFactory(code="38")
    district = UnitFactory(code="380", level=Level.DISTRICT, parent=province)
    commune_a = UnitFactory(code="14797", level=Level.COMMUNE, parent=district)
    commune_b = UnitFactory(code="14758", level=Level.COMMUNE, parent=province)
    return province, district, commune_a, commune_b


def test_manager_of_a_unit_sees_it_and_everything_below(two_communes) -> None:
    province, district, commune_a, commune_b = two_communes
    agency_a = AgencyFactory(unit=commune_a)
    point_b = ReceptionPointFactory(unit=commune_b)
    manager = UserFactory()
    Assignment.objects.create(user=manager, role=Role.MANAGER, unit=province)

    scope = officer_scope(user=manager, role=Role.MANAGER)

    assert scope.unit_ids == {province.pk, district.pk, commune_a.pk, commune_b.pk}
    assert scope.agency_ids == {agency_a.pk}
    assert scope.reception_point_ids == {point_b.pk}


def test_officer_of_one_commune_does_not_see_the_other(two_communes) -> None:
    _, _, commune_a, commune_b = two_communes
    point_a = ReceptionPointFactory(unit=commune_a)
    ReceptionPointFactory(unit=commune_b)
    officer = UserFactory()
    Assignment.objects.create(user=officer, role=Role.RECEPTION_OFFICER, reception_point=point_a)

    scope = officer_scope(user=officer, role=Role.RECEPTION_OFFICER)

    assert scope.reception_point_ids == {point_a.pk}
    assert (scope.unit_ids, scope.agency_ids) == (frozenset(), frozenset())
    # Holding one role gives nothing under another.
    assert officer_scope(user=officer, role=Role.PROCESSING_OFFICER).is_empty


def test_inactive_officer_has_no_scope(two_communes) -> None:
    province = two_communes[0]
    officer = UserFactory(is_active=False)
    Assignment.objects.create(user=officer, role=Role.MANAGER, unit=province)

    assert officer_scope(user=officer, role=Role.MANAGER).is_empty


def test_an_assignment_has_exactly_one_scope(two_communes) -> None:
    from django.db import IntegrityError, transaction

    province = two_communes[0]
    agency = AgencyFactory(unit=province)
    officer = UserFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(user=officer, role=Role.MANAGER, unit=province, agency=agency)

    assert not Assignment.objects.exists()


# The scope is cached per officer; every write that changes it is seen at once. ----------


def test_a_new_assignment_is_seen_at_once(two_communes, django_assert_num_queries) -> None:
    _, _, commune_a, commune_b = two_communes
    point_a, point_b = ReceptionPointFactory(unit=commune_a), ReceptionPointFactory(unit=commune_b)
    officer = UserFactory()
    Assignment.objects.create(user=officer, role=Role.RECEPTION_OFFICER, reception_point=point_a)
    officer_scope(user=officer, role=Role.RECEPTION_OFFICER)

    with django_assert_num_queries(0):  # from the cache
        cached = officer_scope(user=officer, role=Role.RECEPTION_OFFICER)
    Assignment.objects.create(user=officer, role=Role.RECEPTION_OFFICER, reception_point=point_b)
    after = officer_scope(user=officer, role=Role.RECEPTION_OFFICER)

    assert cached.reception_point_ids == {point_a.pk}
    assert after.reception_point_ids == {point_a.pk, point_b.pk}


def test_a_removed_assignment_is_seen_at_once(two_communes) -> None:
    province = two_communes[0]
    manager = UserFactory()
    assignment = Assignment.objects.create(user=manager, role=Role.MANAGER, unit=province)
    before = officer_scope(user=manager, role=Role.MANAGER)

    assignment.delete()

    assert len(before.unit_ids) == 4
    assert officer_scope(user=manager, role=Role.MANAGER).is_empty


def test_a_unit_moved_to_another_parent_leaves_the_scope(two_communes) -> None:
    province, district, commune_a, _ = two_communes
    manager = UserFactory()
    Assignment.objects.create(user=manager, role=Role.MANAGER, unit=district)
    before = officer_scope(user=manager, role=Role.MANAGER)

    commune_a.parent = province
    commune_a.save()

    assert before.unit_ids == {district.pk, commune_a.pk}
    assert officer_scope(user=manager, role=Role.MANAGER).unit_ids == {district.pk}


def test_an_agency_created_in_the_unit_joins_the_scope(two_communes) -> None:
    commune_a = two_communes[2]
    leader = UserFactory()
    Assignment.objects.create(user=leader, role=Role.UNIT_LEADER, unit=commune_a)
    before = officer_scope(user=leader, role=Role.UNIT_LEADER)

    agency = AgencyFactory(unit=commune_a)

    assert before.agency_ids == frozenset()
    assert officer_scope(user=leader, role=Role.UNIT_LEADER).agency_ids == {agency.pk}


def test_an_officers_import_is_seen_at_once(two_communes, tmp_path) -> None:
    from procedures.services import officers_import

    _, _, commune_a, commune_b = two_communes
    officer = UserFactory(username="thuly.a", full_name="Lê Văn A", email="a@example.org")
    Assignment.objects.create(user=officer, role=Role.MANAGER, unit=commune_a)
    before = officer_scope(user=officer, role=Role.MANAGER)
    path = tmp_path / "officers.csv"
    path.write_text(
        "username,full_name,email,role,unit_code\n"
        f"thuly.a,Lê Văn A,a@example.org,manager,{commune_b.code}\n",
        encoding="utf-8",
    )

    officers_import(path=path, update=True)

    assert before.unit_ids == {commune_a.pk}
    assert officer_scope(user=officer, role=Role.MANAGER).unit_ids == {commune_b.pk}


def test_an_inactive_officer_has_no_role_at_all(two_communes) -> None:
    province = two_communes[0]
    officer = UserFactory(is_active=False)
    Assignment.objects.create(user=officer, role=Role.UNIT_LEADER, unit=province)

    assert officer_scopes(officer) == {}
