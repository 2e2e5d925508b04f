"""Issue #6's journey in a real browser: a citizen takes a number at the kiosk, the
reception officer calls it and receives the paper dossier, prints form 01, hands it to the
agency; the processing officer hands it on, the leader approves; the citizen comes back for
the result, and rates the service on the counter's tablet."""

import os
import re
import subprocess
import unicodedata
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from dossiers.models import Dossier, Evaluation, Status
from dossiers.tests.conftest import office  # noqa: F401 - the commune fixture
from dossiers.tests.test_attachments import PDF
from procedures.models import Component
from reception.models import QueueTicket
from tests.browser.languages import round_trip

PASSWORD = "Mot-cua-2026!"
CITIZEN_ID = "038090001234"


PROBLEMS: list[str] = []


def _shot(page, name: str, check=None, *, languages: bool = True) -> None:
    """JOURNEY_SHOTS=dir keeps a screenshot of each step, to look at; `check` (the
    accessibility fixture) collects the page's serious and critical violations; the page
    is then seen in the other language and back (not with a half-filled form)."""
    if check is not None:
        PROBLEMS.extend(f"{name}: {problem}" for problem in check(page))
    if os.environ.get("JOURNEY_SHOTS"):
        page.screenshot(
            path=os.path.join(os.environ["JOURNEY_SHOTS"], f"{name}.png"), full_page=True
        )
    if languages:
        PROBLEMS.extend(f"{name}: {problem}" for problem in round_trip(page, check=check))


def _sign_in(page, user) -> None:
    page.goto("/admin/login/?next=/reception/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_url(re.compile(r"/reception/"))


def _vietnamese_time(moment) -> str:
    local = timezone.localtime(moment)
    return f"{local:%H} giờ {local:%M} phút, ngày {local:%d} tháng {local:%m} năm {local:%Y}"


def _take_number(kiosk, point) -> str:
    kiosk.goto(f"/reception/queue/{point.code}/take/")
    kiosk.click("button.take-general")
    return kiosk.locator(".ticket-number").inner_text().strip()


def _call_next(officer) -> None:
    officer.goto("/reception/queue/counter/")
    officer.get_by_role("button", name=re.compile("Call next")).click()


@pytest.mark.django_db(transaction=True)
def test_a_paper_dossier_from_the_queue_to_the_rating(
    new_page,
    office,  # noqa: F811
    tmp_path,
    settings,
    accessibility,
):
    settings.MEDIA_ROOT = tmp_path / "private"
    for user in (office.reception, office.processing, office.leader):
        user.set_password(PASSWORD)
        user.save()
    form = Component.objects.create(
        procedure=office.procedure, position=1, name="Tờ khai", copy_type="original"
    )

    # 1. The citizen takes a number at the kiosk (a public page, in Vietnamese).
    kiosk = new_page(width=1024, height=768)
    number = _take_number(kiosk, office.point)
    _shot(kiosk, "01-ticket", accessibility)
    assert re.fullmatch(r"[A-Z]*0*1", number)

    # 2. The reception officer signs in, opens counter 1 and calls the number.
    officer = new_page(language="en")
    _sign_in(officer, office.reception)
    officer.goto("/reception/queue/counter/")
    officer.fill("input[name=counter]", "1")
    officer.get_by_role("button", name="Work at this counter").click()
    _call_next(officer)
    _shot(officer, "02-counter-called", accessibility)
    assert number in officer.locator("main").inner_text()

    # 3. Intake: the procedure found as one types, without diacritics; the papers checked.
    officer.goto("/reception/intake/")
    officer.fill("#procedure-search", "xac nhan tinh trang hon nhan")
    officer.get_by_role("link", name=re.compile("Cấp Giấy xác nhận tình trạng hôn nhân")).click()
    officer.fill("#id_applicant_name", "Nguyễn Văn An")
    officer.fill("#id_applicant_citizen_id", CITIZEN_ID)
    officer.fill("#id_applicant_phone", "0912 345 678")
    officer.fill("#id_applicant_address", "12 Lê Lợi, phường Hạc Thành")
    officer.check(f"#id_paper_{form.pk}")
    officer.set_input_files(
        f"#id_file_{form.pk}",
        {"name": "to-khai.pdf", "mimeType": "application/pdf", "buffer": PDF},
    )
    _shot(officer, "03-intake-filled", accessibility, languages=False)
    officer.get_by_role("button", name="Receive and print form 01").click()
    officer.wait_for_url(re.compile(r"/reception/dossiers/[0-9a-f-]+/$"))
    dossier = Dossier.objects.get()
    assert dossier.status == Status.RECEIVED
    assert dossier.code in officer.locator("h1").inner_text()
    secret = officer.locator(".secret").inner_text().strip()
    _shot(officer, "04-received", accessibility)

    # 4. Form 01 as the browser downloads it: the code, the due time, composed diacritics.
    link = officer.get_by_role("link", name=re.compile("Form 01"))
    pdf = officer.request.get(link.get_attribute("href"))
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    (tmp_path / "form01.pdf").write_bytes(pdf.body())
    if os.environ.get("JOURNEY_SHOTS"):
        (Path(os.environ["JOURNEY_SHOTS"]) / "form01.pdf").write_bytes(pdf.body())
    text = subprocess.run(  # noqa: S603 - our own file, a fixed command
        ["pdftotext", "-layout", str(tmp_path / "form01.pdf"), "-"],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert dossier.code in text
    assert _vietnamese_time(dossier.due_at) in text
    assert secret in text
    assert text == unicodedata.normalize("NFC", text)
    for words in ("Nguyễn Văn An", "Mã hồ sơ", "tiếp nhận hồ sơ", "hẹn trả kết quả"):
        assert words.lower() in text.lower(), words

    # 5. Hand-over to the agency, then the counter closes the number.
    officer.get_by_role("button", name="Hand over to the agency").click()
    officer.wait_for_load_state()
    officer.goto("/reception/queue/counter/")
    officer.get_by_role("button", name=re.compile("Done")).click()
    dossier.refresh_from_db()
    assert dossier.status == Status.IN_PROCESS

    # 6. The processing officer takes it and hands it on; the leader approves.
    processing = new_page(language="en")
    _sign_in(processing, office.processing)
    processing.goto("/reception/inbox/")
    processing.get_by_role("link", name=dossier.code).first.click()
    _shot(processing, "05-inbox-dossier", accessibility)
    # The timeline reads as words, never as an event's key.
    assert "dossiers." not in processing.locator(".timeline").inner_text()
    processing.get_by_role("button", name="Assign it to me").click()
    processing.get_by_role("button", name="Hand over", exact=True).click()
    leader = new_page(language="en")
    _sign_in(leader, office.leader)
    leader.goto("/reception/inbox/")
    leader.get_by_role("link", name=dossier.code).first.click()
    leader.get_by_role("button", name="Approve and send the result to the reception point").click()
    leader.wait_for_load_state()
    dossier.refresh_from_db()
    assert dossier.status == Status.COMPLETED
    assert dossier.hand_overs.count() >= 2

    # 7. The citizen comes back with a new number; the officer finds the dossier by the
    #    receipt's QR text and returns the result after checking the ID card.
    _take_number(kiosk, office.point)
    _call_next(officer)
    officer.goto("/reception/")
    officer.fill("#find-code", f"http://example.org/lookup/?code={dossier.code}&secret={secret}")
    officer.get_by_role("button", name="Find", exact=True).click()
    officer.wait_for_url(re.compile(r"/reception/returns/"))
    officer.fill("#id_citizen_id", CITIZEN_ID)
    _shot(officer, "06-return", accessibility, languages=False)
    officer.get_by_role("button", name="Mark the result returned").click()
    officer.wait_for_url(re.compile(r"/reception/dossiers/"))
    dossier.refresh_from_db()
    assert dossier.status == Status.RETURNED

    # 8. The counter's tablet, facing the citizen: the officer signs in on it and starts the
    #    kiosk, which signs them out; the tablet keeps only the kiosk and asks for a rating.
    tablet = new_page(width=1024, height=768)
    _sign_in(tablet, office.reception)
    kiosk_url = f"/reception/queue/kiosk/{office.point.code}/1/"
    tablet.goto(kiosk_url)
    _shot(tablet, "07-kiosk-start", accessibility)
    tablet.locator(f"form[action='{kiosk_url}start/'] button[type=submit]").click()
    tablet.wait_for_url(re.compile(re.escape(kiosk_url) + "$"))
    tablet.locator("button[name=rating][value=very_satisfied]").wait_for(timeout=20_000)
    _shot(tablet, "08-kiosk", accessibility)
    cookies = {cookie["name"]: cookie for cookie in tablet.context.cookies()}
    assert cookies["portal_kiosk"]["path"] == kiosk_url
    assert cookies["portal_kiosk"]["httpOnly"] is True
    assert cookies["portal_kiosk"]["sameSite"] == "Strict"
    assert tablet.locator("a[href], header, nav").count() == 0
    tablet.locator("button[name=rating][value=very_satisfied]").click()
    tablet.wait_for_selector("text=Cảm ơn", timeout=10_000)
    evaluation = Evaluation.objects.get(dossier=dossier)
    assert (evaluation.rating, evaluation.reception_officer) == (
        "very_satisfied",
        office.reception,
    )
    assert timezone.now() - evaluation.evaluated_at < timedelta(minutes=5)
    # Nobody at the tablet can reach the workspace as the officer.
    tablet.goto("/reception/")
    assert "/admin/login/" in tablet.url
    assert PROBLEMS == []
    tickets = QueueTicket.objects.order_by("pk")
    assert [t.dossiers.count() for t in tickets] == [1, 1]
