"""What an officer can do from the inbox: each action with its form, the service it
calls and what the officer is told; which of them the dossier's state and the officer's
capacities allow now; and how the timeline names what happened."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy
from django_fsm import can_proceed

from dossiers import policies, services
from dossiers.models import OPEN, Dossier
from dossiers.services.results import RESULT_STATES
from reception.inbox import forms

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


@dataclass(frozen=True)
class Action:
    form: type[forms.ActionForm]
    # Called with the valid form and the arguments every service takes.
    run: Callable[..., object]
    done: "StrPromise"
    # A warning about what was done, from what the service returned (allowed, but noted).
    warn: "Callable[[Any], StrPromise | None]" = lambda done: None


ACTIONS: dict[str, Action] = {
    "take": Action(
        forms.ActionForm,
        lambda form, **given: services.dossier_assign(
            officer=form.user, assignee=form.user, **given
        ),
        gettext_lazy("The dossier is now assigned to you."),
    ),
    "release": Action(
        forms.ActionForm,
        lambda form, **given: services.dossier_assign(officer=form.user, assignee=None, **given),
        gettext_lazy("The dossier is no longer assigned to you."),
    ),
    "assign": Action(
        forms.AssignForm,
        lambda form, **given: services.dossier_assign(
            officer=form.user, assignee=form.cleaned_data["assignee"], **given
        ),
        gettext_lazy("The assignment is saved."),
    ),
    "hand_over": Action(
        forms.HandOverForm,
        lambda form, **given: services.dossier_hand_over(
            officer=form.user,
            to_label=form.cleaned_data["to_label"],
            to_agency=form.cleaned_data["to_agency"],
            note=form.cleaned_data["note"],
            **given,
        ),
        gettext_lazy("The dossier was handed over."),
    ),
    "request_supplement": Action(
        forms.SupplementRequestForm,
        lambda form, **given: services.dossier_request_supplement(
            officer=form.user,
            items=form.cleaned_data["items"],
            reason=form.cleaned_data["reason"],
            **given,
        ),
        gettext_lazy("The supplement request is recorded and the applicant is told."),
    ),
    "supplement": Action(
        forms.ActionForm,
        lambda form, **given: services.dossier_supplement(actor=form.user, **given),
        gettext_lazy("The supplement is recorded; the clock runs again."),
    ),
    "request_financial_obligation": Action(
        forms.FinancialObligationForm,
        lambda form, **given: services.dossier_request_financial_obligation(
            officer=form.user,
            reason=form.cleaned_data["reason"],
            amount=form.cleaned_data["amount"],
            **given,
        ),
        gettext_lazy("The financial obligation is recorded and the applicant is told."),
    ),
    "fulfil_financial_obligation": Action(
        forms.ActionForm,
        lambda form, **given: services.dossier_fulfil_financial_obligation(
            actor=form.user, **given
        ),
        gettext_lazy("The financial obligation is fulfilled; the clock runs again."),
    ),
    "apologise": Action(
        forms.ApologyForm,
        lambda form, **given: services.dossier_apologise(
            officer=form.user,
            reason=form.cleaned_data["reason"],
            new_due_at=form.cleaned_data["new_due_at"],
            **given,
        ),
        gettext_lazy("The apology with the new date is recorded (form 04)."),
        # RULES.md §4: at least one working day before the due time; warn, don't block.
        lambda apology: (
            gettext_lazy("It was issued less than one working day before the due time.")
            if apology.issued_late
            else None
        ),
    ),
    "complete": Action(
        forms.ActionForm,
        lambda form, **given: services.dossier_complete(officer=form.user, **given),
        gettext_lazy("Approved: the result goes back to the reception point for return."),
    ),
    "stop": Action(
        forms.StopForm,
        lambda form, **given: services.dossier_stop(
            officer=form.user, reason=form.cleaned_data["reason"], **given
        ),
        gettext_lazy("Processing is stopped and the applicant is told why."),
    ),
    "attach_result": Action(
        forms.ResultForm,
        lambda form, **given: services.dossier_attach_result(
            officer=form.user, upload=form.cleaned_data["file"], **given
        ),
        gettext_lazy("The electronic result is attached."),
    ),
    "mark_result_ready": Action(
        forms.ActionForm,
        lambda form, **given: services.dossier_mark_result_ready(officer=form.user, **given),
        gettext_lazy("The paper result is marked ready at the reception point."),
    ),
}
# The audit events of a dossier, as the timeline names them.
EVENT_LABELS = {
    "dossiers.submitted": gettext_lazy("Submitted"),
    "dossiers.received": gettext_lazy("Received"),
    "dossiers.imported": gettext_lazy("Imported from the former system"),
    "dossiers.rejected": gettext_lazy("Refused at reception"),
    "dossiers.supplement_requested_at_intake": gettext_lazy("Asked to complete at reception"),
    "dossiers.transferred": gettext_lazy("Transferred to the agency"),
    "dossiers.assigned": gettext_lazy("Assigned"),
    "dossiers.handed_over": gettext_lazy("Handed over to the next step"),
    "dossiers.supplement_requested": gettext_lazy("Supplement requested"),
    "dossiers.supplemented": gettext_lazy("Supplement received"),
    "dossiers.financial_obligation_requested": gettext_lazy("Financial obligation notified"),
    "dossiers.financial_obligation_fulfilled": gettext_lazy("Financial obligation fulfilled"),
    "dossiers.apologised": gettext_lazy("Apology with a new date (form 04)"),
    "dossiers.completed": gettext_lazy("Approved; result sent to the reception point"),
    "dossiers.stopped": gettext_lazy("Processing stopped"),
    "dossiers.result_attached": gettext_lazy("Electronic result attached"),
    "dossiers.result_ready": gettext_lazy("Paper result ready"),
    "dossiers.result_returned": gettext_lazy("Result returned"),
    "dossiers.withdrawn": gettext_lazy("Withdrawn"),
    "dossiers.attachment_added": gettext_lazy("Paper attached"),
    "dossiers.attachment_removed": gettext_lazy("Paper removed"),
    "dossiers.draft_started": gettext_lazy("Application started online"),
    "dossiers.draft_saved": gettext_lazy("Application saved"),
    "dossiers.followed_members": gettext_lazy("State follows the interconnected dossiers"),
    "dossiers.lookup_secret_reissued": gettext_lazy("New lookup secret for a reprinted receipt"),
    "dossiers.e_receipt_issued": gettext_lazy("Electronic receipt downloaded by the applicant"),
    "dossiers.notification_resent": gettext_lazy("Notification sent again"),
    "dossiers.payment_started": gettext_lazy("Online payment started"),
    "dossiers.paid_online": gettext_lazy("Fees paid online"),
    "dossiers.payment_failed": gettext_lazy("Online payment failed"),
    "dossiers.payment_to_refund": gettext_lazy("Online payment to refund"),
    "dossiers.evaluated": gettext_lazy("Service rated"),
}
# An event recorded by code newer than this table still reads as words, never as its key.
UNLABELLED_EVENT = gettext_lazy("Other change")
# What the timeline shows of an event's details, first found.
EVENT_DETAILS = ("to_label", "assignee_name", "reason", "items")
# State transitions offered when the state and the officer's capacities allow them.
TRANSITIONS = (
    "hand_over",
    "complete",
    "request_supplement",
    "request_financial_obligation",
    "apologise",
    "stop",
    "supplement",
    "fulfil_financial_obligation",
)


def offered_actions(user: Any, dossier: Dossier) -> list[str]:
    """The actions the officer's capacities and the dossier's state allow now."""
    capacities = policies.capacities(user, dossier)

    def may(action: str) -> bool:
        return bool(capacities & policies.ALLOWED[action])

    offered = []
    if dossier.status in OPEN and may("assign"):
        if may("assign_others"):
            offered.append("assign")
        elif dossier.assigned_to_id is None:
            offered.append("take")
        elif dossier.assigned_to_id == user.pk:
            offered.append("release")
    offered += [
        action for action in TRANSITIONS if may(action) and can_proceed(getattr(dossier, action))
    ]
    if dossier.status in RESULT_STATES:
        if may("attach_result"):
            offered.append("attach_result")
        if may("mark_result_ready") and dossier.result_ready_at is None:
            offered.append("mark_result_ready")
    return offered
