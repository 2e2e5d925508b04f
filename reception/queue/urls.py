"""Take-a-number queue per reception point, the public display board and the counter
satisfaction kiosk."""

from django.urls import path
from django.views.generic import RedirectView

from reception.queue import kiosk, report, views

urlpatterns = [
    # /reception/queue/ itself: the officer's counter queue (the only page without a point).
    path("", RedirectView.as_view(pattern_name="reception:queue:counter"), name="home"),
    path("counter/", views.counter, name="counter"),
    path("report/", report.report, name="report"),
    path("counter/choose/", views.counter_choose, name="counter-choose"),
    path("counter/waiting/", views.counter_waiting, name="counter-waiting"),
    path("counter/call-next/", views.call_next, name="call-next"),
    path(
        "counter/tickets/<int:ticket_id>/<slug:action>/",
        views.ticket_action,
        name="ticket-action",
    ),
    path("kiosk/<slug:point_code>/<int:counter>/", kiosk.kiosk, name="kiosk"),
    path("kiosk/<slug:point_code>/<int:counter>/start/", kiosk.kiosk_start, name="kiosk-start"),
    path("kiosk/<slug:point_code>/<int:counter>/stop/", kiosk.kiosk_stop, name="kiosk-stop"),
    path(
        "kiosk/<slug:point_code>/<int:counter>/current/",
        kiosk.kiosk_current,
        name="kiosk-current",
    ),
    path(
        "kiosk/<slug:point_code>/<int:counter>/evaluate/",
        kiosk.kiosk_evaluate,
        name="kiosk-evaluate",
    ),
    path("<slug:point_code>/take/", views.take, name="take"),
    path("<slug:point_code>/tickets/<int:ticket_id>/", views.ticket, name="ticket"),
    path("<slug:point_code>/board/", views.board, name="board"),
    path("<slug:point_code>/board/calls/", views.board_calls, name="board-calls"),
]
