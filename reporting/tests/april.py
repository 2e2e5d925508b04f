"""The April 2026 fixture: two agencies (the ward's People's Committee and the provincial
Department of Justice), two reception points (the ward's centre and the province's), two
sectors, four procedures, every channel and online level; counts worked out by hand."""

from dataclasses import dataclass
from datetime import date

import pytest

from dossiers.models import Dossier
from dossiers.tests.conftest import Office
from procedures.models import Agency, Procedure, ReceptionPoint
from reporting.indicators import COUNT_NAMES, RATES, Period
from tests.factories import AgencyFactory, ProcedureFactory, ReceptionPointFactory, SectorFactory

from .march import dossier, t

APRIL = Period(date(2026, 4, 1), date(2026, 4, 30))
ZERO = dict.fromkeys(COUNT_NAMES, 0)
NO_RATES: dict[str, float | None] = dict.fromkeys(RATES, None)
FULL = {"channel": "online", "online_level": "full"}
PARTIAL = {"channel": "online", "online_level": "partial"}


@dataclass
class April:
    justice: Agency
    province_point: ReceptionPoint
    birth: Procedure
    copy: Procedure
    extract: Procedure
    dossiers: dict[str, Dossier]


@pytest.fixture
def april(office: Office) -> April:
    o, province = office, office.unit.parent
    justice = AgencyFactory(code="000.00.16.H56", name="Sở Tư pháp tỉnh Thanh Hóa", unit=province)
    province_point = ReceptionPointFactory(
        code="ttpvhcc-tinh",
        name="Trung tâm Phục vụ hành chính công tỉnh Thanh Hóa",
        kind=ReceptionPoint.Kind.PROVINCIAL_CENTRE,
        unit=province,
    )
    civil_status = o.procedure.sector  # Hộ tịch
    birth = ProcedureFactory(code="1.000894", name="Đăng ký khai sinh", sector=civil_status)
    copy = ProcedureFactory(
        code="2.000815",
        name="Chứng thực bản sao từ bản chính",
        sector=SectorFactory(name="Chứng thực"),
    )
    extract = ProcedureFactory(
        code="2.001008", name="Cấp bản sao trích lục hộ tịch", sector=civil_status
    )
    at_province = {"reception_point": province_point}
    of_justice = {"agency": justice, "unit": province, "procedure": extract}
    made = {
        # the ward's People's Committee (unit 14797)
        "1": dossier(o, "completed", t(4, 1), t(4, 6, 17), processing_ended_at=t(4, 3)),
        "2": dossier(o, "completed", t(4, 2), t(4, 8, 17), processing_ended_at=t(4, 8, 16),
                     **FULL),
        "3": dossier(o, "completed", t(4, 2), t(4, 8, 17), processing_ended_at=t(4, 10),
                     procedure=birth, channel="postal"),
        "4": dossier(o, "completed", t(4, 3), t(4, 9, 17), processing_ended_at=t(4, 6),
                     procedure=copy, **PARTIAL),
        "5": dossier(o, "in_process", t(4, 27), t(5, 20, 17), procedure=copy, **FULL),
        "6": dossier(o, "completed", t(4, 6), t(4, 9, 17), processing_ended_at=t(4, 9, 10),
                     procedure=copy, **at_province),
        "7": dossier(o, "completed", t(4, 6), t(4, 10, 17), processing_ended_at=t(4, 7),
                     procedure=birth, **FULL),
        # the provincial Department of Justice (unit 38)
        "8": dossier(o, "completed", t(4, 7), t(4, 13, 17), processing_ended_at=t(4, 9),
                     **of_justice, **at_province, **FULL),
        "9": dossier(o, "completed", t(4, 7), t(4, 13, 17), processing_ended_at=t(4, 14),
                     **of_justice, **at_province, **PARTIAL),
        "10": dossier(o, "completed", t(4, 8), t(4, 14, 17), processing_ended_at=t(4, 10),
                      **of_justice),
        "11": dossier(o, "withdrawn", t(4, 9), t(4, 15, 17), withdrawn_at=t(4, 13),
                      **of_justice, **FULL),
    }  # fmt: skip
    return April(justice, province_point, birth, copy, extract, made)


# Dossiers 8 to 11: those of the Department of Justice, wherever received.
JUSTICE_COUNTS = ZERO | {
    "received": 4,
    "received_counter": 1,  # 10
    "received_online": 3,  # 8 9 11
    "received_online_full": 2,  # 8 11
    "received_online_partial": 1,  # 9
    "to_process": 4,
    "resolved": 3,  # 8 9 10
    "resolved_early": 2,  # 8 10
    "resolved_late": 1,  # 9
    "resolved_counter": 1,  # 10
    "resolved_online_full": 1,  # 8
    "resolved_online_partial": 1,  # 9
    "withdrawn": 1,  # 11
}
JUSTICE_RATES = NO_RATES | {
    "online_rate": 75.0,  # 3/4
    "resolution_rate": 75.0,  # 3/4
    "on_time_rate": 66.67,  # 2/3
    "early_rate": 66.67,
    "on_time_only_rate": 0.0,
    "late_rate": 33.33,
    "in_progress_rate": 0.0,
    "digitization_rate": 0.0,
}
# Dossiers 1 2 3 4 5 7 10 11: those received at the ward's centre, whichever the agency.
WARD_POINT_COUNTS = ZERO | {
    "received": 8,
    "received_counter": 2,  # 1 10
    "received_online": 5,  # 2 4 5 7 11
    "received_postal": 1,  # 3
    "received_online_full": 4,  # 2 5 7 11
    "received_online_partial": 1,  # 4
    "to_process": 8,
    "resolved": 6,  # 1 2 3 4 7 10
    "resolved_early": 4,  # 1 4 7 10
    "resolved_on_time": 1,  # 2
    "resolved_late": 1,  # 3
    "resolved_counter": 2,  # 1 10
    "resolved_postal": 1,  # 3
    "resolved_online_full": 2,  # 2 7
    "resolved_online_partial": 1,  # 4
    "withdrawn": 1,  # 11
    "in_progress": 1,  # 5
    "in_progress_within_deadline": 1,
}
WARD_POINT_RATES = NO_RATES | {
    "online_rate": 62.5,  # 5/8
    "resolution_rate": 75.0,  # 6/8
    "on_time_rate": 83.33,  # 5/6
    "early_rate": 66.67,  # 4/6
    "on_time_only_rate": 16.67,
    "late_rate": 16.67,
    "in_progress_rate": 12.5,  # 1/8
    "digitization_rate": 0.0,
}
# Dossiers 1 2 3 4 6 7: the ward's, resolved (5 is still open).
WARD_RESOLVED_BY_RECEPTION = {
    "resolved_counter": 2,  # 1 6
    "resolved_postal": 1,  # 3
    "resolved_online_full": 2,  # 2 7
    "resolved_online_partial": 1,  # 4
}
