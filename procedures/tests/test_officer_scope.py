import pytest

from portal.roles import Role
from procedures.models import AdministrativeUnit, Assignment
from procedures.selectors import officer_scope
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
