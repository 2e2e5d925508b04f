"""How the official forms write dates, times, amounts and issuers. The forms are in
Vietnamese only (Circular 01/2018/TT-VPCP annex), whatever the officer's language."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings

from procedures.calendar import LOCAL_TIME
from procedures.models import Agency, ReceptionPoint

COPY_TYPES = {
    "original": "Bản chính",
    "certified_copy": "Bản sao chứng thực",
    "plain_copy": "Bản chụp",
}
TIME_LIMIT_UNITS = {
    "working_days": "ngày làm việc",
    "working_hours": "giờ làm việc",
    "calendar_days": "ngày",
}
DELIVERIES = {
    "counter": "Trực tiếp tại Bộ phận Một cửa",
    "postal": "Qua dịch vụ bưu chính công ích",
    "online": "Trực tuyến",
}
CHANNELS = {"counter": "Trực tiếp", "online": "Trực tuyến", "postal": "Bưu chính công ích"}
TIMELINESS = {
    "early": "Trước hạn",
    "on_time": "Đúng hạn",
    "late": "Quá hạn",
    "within_deadline": "Trong hạn",
    "due_soon": "Sắp đến hạn",
    "overdue": "Quá hạn",
}
COMMITTEE_PREFIXES = ("ủy ban nhân dân", "uỷ ban nhân dân", "ubnd")


def local(moment: datetime) -> datetime:
    return moment.astimezone(LOCAL_TIME)


def long_date(day: date | datetime) -> str:
    """A date as the forms write it: "ngày 02 tháng 03 năm 2026"."""
    if isinstance(day, datetime):
        day = local(day).date()
    return f"ngày {day:%d} tháng {day:%m} năm {day:%Y}"


def long_time(moment: datetime | None) -> str:
    """A time as the forms write it, Asia/Ho_Chi_Minh: "09 giờ 30 phút, ngày 02 tháng 03
    năm 2026"."""
    if moment is None:
        return ""
    at = local(moment)
    return f"{at:%H} giờ {at:%M} phút, {long_date(at.date())}"


def short_time(moment: datetime | None) -> str:
    """For the register's narrow columns: "02/03/2026 09:30"."""
    return f"{local(moment):%d/%m/%Y %H:%M}" if moment is not None else ""


def place_and_date(day: date | datetime) -> str:
    """The place and date line: "Thanh Hóa, ngày 25 tháng 11 năm 2026"."""
    return f"{settings.PORTAL_PROVINCE_NAME}, {long_date(day)}"


def money(amount: int) -> str:
    """An amount in VND: "50.000 đồng"."""
    return f"{amount:,}".replace(",", ".") + " đồng"


def time_limit(limit: object, unit: str) -> str:
    """The statutory time limit: "03 ngày làm việc", "Trong ngày", "4,5 giờ làm việc"."""
    if unit == "same_day":
        return "Trong ngày"
    number = Decimal(str(limit)).normalize()
    text = f"{int(number):02d}" if number == number.to_integral() else f"{number:f}"
    return f"{text.replace('.', ',')} {TIME_LIMIT_UNITS.get(unit, unit)}"


@dataclass(frozen=True)
class Issuer:
    """The left block of the national header: the governing body, then the issuing one."""

    superior: str
    name: str
    # "ỦY BAN NHÂN DÂN" over "PHƯỜNG HẠC THÀNH": both lines are the issuer's own name.
    superior_bold: bool = False


def _without_suffix(name: str, suffix: str) -> str:
    if suffix and name.lower().endswith(suffix.lower()) and len(name) > len(suffix):
        return name[: -len(suffix)].strip(" -,")
    return name


def point_issuer(point: ReceptionPoint) -> Issuer:
    """A reception point under its People's Committee: "UBND PHƯỜNG HẠC THÀNH" over
    "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG"."""
    return Issuer(
        superior=f"UBND {point.unit.name}".upper(),
        name=_without_suffix(point.name, point.unit.name).upper(),
    )


def agency_issuer(agency: Agency) -> Issuer:
    """A department under its People's Committee; a People's Committee on its own."""
    if agency.parent is not None:
        return Issuer(superior=agency.parent.name.upper(), name=agency.name.upper())
    for prefix in COMMITTEE_PREFIXES:
        if agency.name.lower().startswith(prefix) and len(agency.name) > len(prefix):
            place = agency.name[len(prefix) :].strip()
            return Issuer(superior="ỦY BAN NHÂN DÂN", name=place.upper(), superior_bold=True)
    return Issuer(superior=f"UBND {agency.unit.name}".upper(), name=agency.name.upper())
