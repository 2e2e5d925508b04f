"""Search ignoring diacritics and case, on the database the suite runs on (PostgreSQL in
CI, SQLite with `make test` on a bare machine)."""

import unicodedata
from datetime import date, timedelta

import pytest
from django.utils import timezone

from procedures.models import AdministrativeUnit, Fee, OnlineLevel, Procedure
from procedures.search import fold, query_terms
from procedures.selectors import CatalogueFilters, catalogue_facets, procedure_list
from tests.factories import AgencyFactory, ProcedureFactory, SectorFactory


def names(query: str = "", **filters: str) -> list[str]:
    found = procedure_list(filters=CatalogueFilters(query=query, **filters))
    return [procedure.name for procedure in found]


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Đăng ký khai sinh", "dang ky khai sinh"),
        ("ĐĂNG KÝ KHAI SINH", "dang ky khai sinh"),
        (unicodedata.normalize("NFD", "Đăng ký khai sinh"), "dang ky khai sinh"),
        ("  Chứng thực   bản sao, từ bản chính ", "chung thuc ban sao tu ban chinh"),
        ("Xóa đăng ký thường trú", "xoa dang ky thuong tru"),
        ("1.001193 Hộ tịch", "1.001193 ho tich"),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_query_terms_drop_punctuation_and_stay_bounded() -> None:
    assert query_terms("khai sinh.") == ["khai", "sinh"]
    assert query_terms("a b c d e f g h i j") == ["a", "b", "c", "d", "e", "f", "g", "h"]
    assert query_terms(" ... ") == []


@pytest.fixture
def catalogue(db) -> dict[str, Procedure]:
    civil = SectorFactory(name="Hộ tịch")
    certification = SectorFactory(name="Chứng thực")
    judicial = SectorFactory(name="Lý lịch tư pháp")
    rows = [
        ("1.001193", "Đăng ký khai sinh", civil, "commune", OnlineLevel.FULL),
        ("1.000894", "Đăng ký kết hôn", civil, "commune", OnlineLevel.PARTIAL),
        ("1.000656", "Đăng ký khai tử", civil, "commune", OnlineLevel.FULL),
        ("2.000815", "Chứng thực bản sao từ bản chính", certification, "commune", "none"),
        ("2.000884", "Cấp bản sao có chứng thực từ sổ gốc", certification, "commune", "none"),
        ("2.000488", "Cấp Phiếu lý lịch tư pháp", judicial, "province", OnlineLevel.PARTIAL),
    ]
    return {
        code: ProcedureFactory(
            code=code, name=name, sector=sector, level=level, online_level=online
        )
        for code, name, sector, level, online in rows
    }


@pytest.mark.parametrize(
    "query",
    [
        "dang ky khai sinh",
        "Đăng ký khai sinh",
        "ĐĂNG KÝ KHAI SINH",
        "DaNg Ky KhAi SiNh",
        unicodedata.normalize("NFD", "đăng ký khai sinh"),
        "khai sin",  # a word being typed
        "sinh khai",  # any order
        "  khai   sinh  ",
        "1.001193",
        "001193",
    ],
)
def test_birth_registration_is_found_however_it_is_typed(
    catalogue: dict[str, Procedure], query: str
) -> None:
    assert names(query) == ["Đăng ký khai sinh"]


def test_several_matches_come_in_alphabetical_order_ignoring_diacritics(catalogue) -> None:
    assert names("dang ky") == ["Đăng ký kết hôn", "Đăng ký khai sinh", "Đăng ký khai tử"]
    assert names("ket ho") == ["Đăng ký kết hôn"]


def test_the_sector_name_is_searched_too(catalogue) -> None:
    assert names("ho tich") == ["Đăng ký kết hôn", "Đăng ký khai sinh", "Đăng ký khai tử"]


def test_names_starting_with_the_query_come_first(catalogue) -> None:
    # "Cấp bản sao có chứng thực…" sorts before "Chứng thực…" alphabetically, but the
    # citizen typed the beginning of the second one.
    assert names("chung thuc") == [
        "Chứng thực bản sao từ bản chính",
        "Cấp bản sao có chứng thực từ sổ gốc",
    ]


def test_no_match_and_empty_query(catalogue) -> None:
    assert names("giay phep lai xe") == []
    assert len(names("")) == 6
    assert len(names("   ")) == 6


def test_only_published_procedures_in_force_are_listed(catalogue) -> None:
    today = timezone.localdate()
    ProcedureFactory(name="Đăng ký khai sinh lưu động", status=Procedure.Status.UNPUBLISHED)
    ProcedureFactory(name="Đăng ký khai sinh cũ", status=Procedure.Status.REPEALED)
    ProcedureFactory(name="Đăng ký khai sinh hết hạn", valid_to=today - timedelta(days=1))
    ProcedureFactory(name="Đăng ký khai sinh sắp áp dụng", valid_from=today + timedelta(days=1))
    ProcedureFactory(name="Đăng ký khai sinh từ hôm nay", valid_from=today)

    assert names("khai sinh") == ["Đăng ký khai sinh", "Đăng ký khai sinh từ hôm nay"]


def test_filters_combine_with_the_search(catalogue) -> None:
    commune = AgencyFactory(code="H56.HT", name="Ủy ban nhân dân phường Hạc Thành")
    catalogue["1.001193"].agencies.add(commune)
    catalogue["2.000815"].agencies.add(commune)

    assert names(sector="chung-thuc") == [
        "Cấp bản sao có chứng thực từ sổ gốc",
        "Chứng thực bản sao từ bản chính",
    ]
    assert names(level=AdministrativeUnit.Level.PROVINCE) == ["Cấp Phiếu lý lịch tư pháp"]
    assert names(online_level=OnlineLevel.FULL) == ["Đăng ký khai sinh", "Đăng ký khai tử"]
    assert names(agency="H56.HT") == ["Chứng thực bản sao từ bản chính", "Đăng ký khai sinh"]
    assert names("dang ky", agency="H56.HT") == ["Đăng ký khai sinh"]
    assert names("dang ky", sector="chung-thuc") == []


def test_the_list_carries_the_total_of_the_fees(catalogue) -> None:
    copy = catalogue["2.000815"]
    Fee.objects.create(procedure=copy, name="Trang 1-2", amount=2000)
    Fee.objects.create(procedure=copy, name="Từ trang 3", amount=1000)

    fees = {p.code: p.fee_total for p in procedure_list(filters=CatalogueFilters("chung thuc"))}

    assert fees == {"2.000815": 3000, "2.000884": 0}


def test_facets_offer_only_what_leads_somewhere(catalogue) -> None:
    SectorFactory(name="Đất đai")  # no procedure yet
    province_agency = AgencyFactory(code="000.00.16.H56", name="Sở Tư pháp")
    commune_unit = AdministrativeUnit.objects.create(
        code="14797", name="Phường Hạc Thành", level="commune", parent=province_agency.unit
    )
    commune_agency = AgencyFactory(code="H56.HT", name="UBND phường Hạc Thành", unit=commune_unit)
    AgencyFactory(code="000.00.14.H56", name="Sở Xây dựng")  # offers nothing
    closed = AgencyFactory(code="000.00.30.H56", name="UBND huyện cũ", valid_to=date(2025, 6, 30))
    catalogue["2.000488"].agencies.add(province_agency, closed)
    catalogue["1.001193"].agencies.add(commune_agency)

    facets = catalogue_facets()

    assert facets.sectors == [
        ("chung-thuc", "Chứng thực", 2),
        ("ho-tich", "Hộ tịch", 3),
        ("ly-lich-tu-phap", "Lý lịch tư pháp", 1),
    ]
    assert facets.levels == ["province", "commune"]
    assert facets.provincial_agencies == [("000.00.16.H56", "Sở Tư pháp")]
    assert facets.commune_agencies == [("H56.HT", "UBND phường Hạc Thành")]
