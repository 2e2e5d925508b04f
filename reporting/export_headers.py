"""The header row of the CSV/XLSX exports in the reader's words (Vietnamese under `vi`);
`?header=codes` keeps the stable machine-readable column codes for scripts."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

LABELS = {
    "unit_code": _("Unit code"),
    "unit_name": _("Unit"),
    "from": pgettext_lazy("period", "From"),
    "to": pgettext_lazy("period", "To"),
    "month": _("Month"),
    "officer": _("Officer"),
    "role": _("Role"),
    "code": _("Dossier code"),
    "procedure_code": _("Procedure code"),
    "agency_code": _("Agency code"),
    "received_at": _("Received at"),
    "due_at": _("Due at"),
    "status": _("State"),
    "received": _("Received"),
    "received_counter": _("Received at the counter"),
    "received_online": _("Received online"),
    "received_postal": _("Received by post"),
    "received_online_full": _("Received fully online"),
    "received_online_partial": _("Received partly online"),
    "received_level3": _("Received at online level 3 (before 2025)"),
    "received_level4": _("Received at online level 4 (before 2025)"),
    "carried_over": _("Carried over"),
    "to_process": _("To process"),
    "resolved": _("Resolved"),
    "resolved_early": _("Resolved early"),
    "resolved_on_time": _("Resolved on time"),
    "resolved_late": _("Resolved late"),
    "resolved_counter": _("Resolved – received at the counter"),
    "resolved_postal": _("Resolved – received by post"),
    "resolved_online_full": _("Resolved – received fully online"),
    "resolved_online_partial": _("Resolved – received partly online"),
    "withdrawn": _("Withdrawn"),
    "in_progress": _("In progress"),
    "in_progress_within_deadline": _("In progress, within the time limit"),
    "in_progress_overdue": _("In progress, overdue"),
    "returned": _("Results returned"),
    "returned_counter": _("Returned at the counter"),
    "returned_postal": _("Returned by post"),
    "returned_online": _("Returned online"),
    "evaluations": _("Evaluations"),
    "very_satisfied": _("Very satisfied"),
    "satisfied": _("Satisfied"),
    "neutral": _("Neither satisfied nor dissatisfied"),
    "dissatisfied": _("Dissatisfied"),
    "very_dissatisfied": _("Very dissatisfied"),
    "digitized": _("Digitised at reception"),
    "fee_bearing": _("With fees"),
    "paid_online": _("Paid online"),
    "online_rate": _("Online rate (%)"),
    "resolution_rate": _("Resolution rate (%)"),
    "on_time_rate": _("Early or on-time rate (%)"),
    "early_rate": _("Early rate (%)"),
    "on_time_only_rate": _("On-time rate (%)"),
    "late_rate": _("Late rate (%)"),
    "in_progress_rate": _("In-progress rate (%)"),
    "satisfaction_rate": _("Satisfaction rate (%)"),
    "very_satisfied_rate": _("Very satisfied rate (%)"),
    "digitization_rate": _("Digitisation rate (%)"),
    "online_payment_rate": _("Online payment rate (%)"),
    "postal_return_rate": _("Postal return rate (%)"),
}
CODES = "codes"


def header(row: list[object], style: str | None) -> list[object]:
    """The labels of the column codes; a code without a label (a column added since)
    stays as it is, rather than leaving the column unnamed."""
    if style == CODES:
        return row
    return [str(LABELS.get(str(code), code)) for code in row]
