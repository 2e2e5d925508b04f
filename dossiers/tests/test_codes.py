"""Dossier codes come from the one counter allocator of the foundation (portal.sequences),
which the take-a-number queue uses too."""

from datetime import date

import pytest
from django.db import transaction
from django.utils import timezone

from dossiers import codes
from dossiers.models import CodeSequence, Status
from portal.sequences import allocate_next

from .conftest import Office

DAY = date(2026, 3, 2)


def test_each_key_counts_from_one(office: Office) -> None:
    numbers = [
        allocate_next(CodeSequence, agency=office.agency, day=DAY),
        allocate_next(CodeSequence, agency=office.agency, day=DAY),
        allocate_next(CodeSequence, agency=office.other_agency, day=DAY),
        allocate_next(CodeSequence, agency=office.agency, day=date(2026, 3, 3)),
        allocate_next(CodeSequence, agency=office.agency, day=DAY),
    ]

    assert numbers == [1, 2, 1, 1, 3]
    assert CodeSequence.objects.get(agency=office.agency, day=DAY).last == 3


def test_numbers_in_use_are_stepped_over_and_remembered(office: Office) -> None:
    in_use = {2, 3, 5}

    numbers = [
        allocate_next(CodeSequence, taken=in_use.__contains__, agency=office.agency, day=DAY)
        for _ in range(3)
    ]

    assert numbers == [1, 4, 6]
    assert CodeSequence.objects.get(agency=office.agency, day=DAY).last == 6


def test_a_rolled_back_caller_gives_its_number_back(office: Office) -> None:
    class ReceptionRefusedError(Exception):
        pass

    def receive_then_fail() -> None:
        with transaction.atomic():
            assert codes.allocate_code(agency=office.agency, day=DAY) == "H56.HT-260302-0001"
            raise ReceptionRefusedError

    with pytest.raises(ReceptionRefusedError):
        receive_then_fail()

    assert codes.allocate_code(agency=office.agency, day=DAY) == "H56.HT-260302-0001"


def test_codes_step_over_imported_ones(office: Office) -> None:
    today = timezone.localdate()
    office.dossier(Status.RETURNED, code=f"H56.HT-{today:%y%m%d}-0001", imported=True)

    code = codes.allocate_code(agency=office.agency, day=today)

    assert code == f"H56.HT-{today:%y%m%d}-0002"
