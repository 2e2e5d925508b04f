"""portal.service_errors: a coded error is shown in the language of whoever reads it, is
reported under its field like Django's ValidationError, and survives a trip to a worker."""

import pickle

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.utils import translation

from dossiers.errors import (
    ActionDeniedError,
    DossierConflictError,
    ReasonRequiredError,
    SupplementItemsRequiredError,
)
from portal.service_errors import InvalidDataError, ServiceValidationError, refuse


def test_the_message_is_translated_when_shown_not_when_raised() -> None:
    with translation.override("en"):
        error = DossierConflictError(3, 4)

    with translation.override("vi"):
        shown = str(error)

    assert shown == (
        "Hồ sơ đã được người khác thay đổi (phiên bản 4, không phải 3): "
        "hãy tải lại hồ sơ rồi thực hiện lại."
    )
    assert (error.code, error.http_status, error.expected, error.actual) == (
        "dossier.changed",
        409,
        3,
        4,
    )


def test_a_refused_value_is_a_validation_error_under_its_field() -> None:
    with translation.override("en"):
        assert ReasonRequiredError().message_dict == {"reason": ["Give the reason."]}
        assert ReasonRequiredError(field="note").message_dict == {"note": ["Give the reason."]}
        assert ServiceValidationError().message_dict == {
            NON_FIELD_ERRORS: ["This value is not valid."]
        }
    assert ReasonRequiredError().error_dict["reason"][0].code == "dossier.reason_required"


def test_a_denial_is_djangos_permission_denied() -> None:
    with pytest.raises(PermissionDenied) as denied:
        raise ActionDeniedError("complete")

    assert (denied.value.code, denied.value.action, denied.value.http_status) == (
        "dossier.action_denied",
        "complete",
        403,
    )


def test_refuse_raises_nothing_the_one_problem_or_all_of_them() -> None:
    refuse([])
    with pytest.raises(ReasonRequiredError):
        refuse([ReasonRequiredError()])
    with pytest.raises(InvalidDataError) as several:
        refuse([SupplementItemsRequiredError(), ReasonRequiredError(), ReasonRequiredError()])

    problems = several.value.problems
    assert [problem.code for problem in problems] == [
        "dossier.supplement_items_required",
        "dossier.reason_required",
        "dossier.reason_required",
    ]
    assert isinstance(several.value, ValidationError)
    with translation.override("vi"):
        assert several.value.message_dict == {
            "items": ["Hãy ghi ít nhất một giấy tờ cần bổ sung."],
            "reason": ["Hãy nêu lý do.", "Hãy nêu lý do."],
        }


def test_an_error_survives_pickling() -> None:
    error = pickle.loads(pickle.dumps(ReasonRequiredError(field="note")))  # noqa: S301

    assert (type(error), error.code, error.field, error.params) == (
        ReasonRequiredError,
        "dossier.reason_required",
        "note",
        {},
    )
    with translation.override("en"):
        assert (str(error), error.message_dict) == (
            "Give the reason.",
            {"note": ["Give the reason."]},
        )
