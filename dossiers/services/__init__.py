"""Writers of dossiers: every change of state goes through one of these."""

from dossiers.services.intake import (
    Applicant,
    Reception,
    dossier_create_draft,
    dossier_receive,
    dossier_receive_at_counter,
    dossier_reject,
    dossier_request_supplement_at_intake,
    dossier_submit,
    dossier_submit_by_post,
)
from dossiers.services.interconnection import dossier_receive_interconnected
from dossiers.services.processing import (
    dossier_apologise,
    dossier_assign,
    dossier_complete,
    dossier_fulfil_financial_obligation,
    dossier_hand_over,
    dossier_request_financial_obligation,
    dossier_request_supplement,
    dossier_return_result,
    dossier_stop,
    dossier_supplement,
    dossier_transfer,
    dossier_withdraw,
)
from dossiers.services.results import dossier_attach_result, dossier_mark_result_ready

__all__ = [
    "Applicant",
    "Reception",
    "dossier_apologise",
    "dossier_assign",
    "dossier_attach_result",
    "dossier_complete",
    "dossier_create_draft",
    "dossier_fulfil_financial_obligation",
    "dossier_hand_over",
    "dossier_mark_result_ready",
    "dossier_receive",
    "dossier_receive_at_counter",
    "dossier_receive_interconnected",
    "dossier_reject",
    "dossier_request_financial_obligation",
    "dossier_request_supplement",
    "dossier_request_supplement_at_intake",
    "dossier_return_result",
    "dossier_stop",
    "dossier_submit",
    "dossier_submit_by_post",
    "dossier_supplement",
    "dossier_transfer",
    "dossier_withdraw",
]
