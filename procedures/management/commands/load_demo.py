"""Demo organisation of one province (Thanh Hóa, code 38): its pre-2025 districts and
communes (closed 2025-06-30), its post-reform communes, agencies with identifier codes,
reception points and one demo account per role. Idempotent: safe to run again.

Unit codes and names are the official ones (GSO numbering, via the MIT-licensed
`vietnamadminunits` data set); agency identifier codes follow the QCVN 102:2016 layouts
but are illustrative."""

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from portal import audit
from portal.models import User
from portal.roles import Role
from procedures.demo.catalogue import load_catalogue
from procedures.models import AdministrativeUnit, Agency, Assignment, ReceptionPoint
from procedures.services import units_import

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"
PROVINCE_CODE = "38"
REFORM_DAY = date(2025, 7, 1)
LAST_DAY_BEFORE_REFORM = date(2025, 6, 30)
DEMO_PASSWORD = "MotCua@2026"  # noqa: S105 - published demo credentials, demo data only

DEPARTMENTS = [
    ("000.00.00.H56", "Ủy ban nhân dân tỉnh Thanh Hóa"),
    ("000.00.01.H56", "Văn phòng Ủy ban nhân dân tỉnh"),
    ("000.00.04.H56", "Sở Nội vụ"),
    ("000.00.07.H56", "Sở Tài chính"),
    ("000.00.10.H56", "Sở Công Thương"),
    ("000.00.13.H56", "Sở Nông nghiệp và Môi trường"),
    ("000.00.14.H56", "Sở Xây dựng"),
    ("000.00.16.H56", "Sở Tư pháp"),
    ("000.00.18.H56", "Sở Giáo dục và Đào tạo"),
    ("000.00.19.H56", "Sở Y tế"),
    ("000.00.20.H56", "Sở Văn hóa, Thể thao và Du lịch"),
    ("000.00.22.H56", "Sở Khoa học và Công nghệ"),
    ("000.00.25.H56", "Công an tỉnh"),
]
CENTRE_CODE = "ttpvhcc-tinh-thanh-hoa"
PROVINCIAL_CENTRE = (CENTRE_CODE, "Trung tâm Phục vụ hành chính công tỉnh Thanh Hóa")
SCOPE_MODELS: dict[str, type[AdministrativeUnit] | type[Agency] | type[ReceptionPoint]] = {
    "unit": AdministrativeUnit,
    "agency": Agency,
    "reception_point": ReceptionPoint,
}
FIRST_DISTRICT_SEQUENCE = 30
FIRST_COMMUNE_SEQUENCE = 100

# (username, full name, role, scope field, code of the scope)
OFFICERS = [
    ("tiepnhan.tinh", "Lê Thị Hoa", Role.RECEPTION_OFFICER, "reception_point", CENTRE_CODE),
    ("thuly.tuphap", "Trần Văn Minh", Role.PROCESSING_OFFICER, "agency", "000.00.16.H56"),
    ("lanhdao.tuphap", "Nguyễn Văn Bình", Role.UNIT_LEADER, "agency", "000.00.16.H56"),
    ("quanly.tinh", "Phạm Thu Trang", Role.MANAGER, "unit", PROVINCE_CODE),
    ("tiepnhan.hacthanh", "Đỗ Thị Mai", Role.RECEPTION_OFFICER, "reception_point", "ttpvhcc-14797"),
    ("thuly.hacthanh", "Vũ Đức Anh", Role.PROCESSING_OFFICER, "agency", "H56.HT"),
    ("lanhdao.hacthanh", "Hoàng Văn Sơn", Role.UNIT_LEADER, "agency", "H56.HT"),
]
# Every other agency that settles a demo procedure gets a processing officer and a leader,
# so that each demo procedure can be taken from intake to the returned result.
SETTLING_DEPARTMENTS = [
    ("congan", "000.00.25.H56", "Lê Quang Huy", "Trịnh Văn Long"),
    ("taichinh", "000.00.07.H56", "Ngô Thị Thu", "Đặng Văn Hải"),
    ("xaydung", "000.00.14.H56", "Phan Văn Tùng", "Bùi Thị Hằng"),
    ("yte", "000.00.19.H56", "Mai Thị Lệ", "Lương Văn Tâm"),
    ("giaoduc", "000.00.18.H56", "Hà Thị Ngọc", "Cao Văn Thắng"),
    ("congthuong", "000.00.10.H56", "Đinh Văn Phúc", "Tạ Thị Yến"),
    ("nongnghiep", "000.00.13.H56", "Lò Văn Dũng", "Kiều Thị Nga"),
]
OFFICERS += [
    officer
    for slug, code, processing, leader in SETTLING_DEPARTMENTS
    for officer in (
        (f"thuly.{slug}", processing, Role.PROCESSING_OFFICER, "agency", code),
        (f"lanhdao.{slug}", leader, Role.UNIT_LEADER, "agency", code),
    )
]


class Command(BaseCommand):
    help = "Load the demo organisation and demo accounts (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        units_import(path=DEMO_DIR / "units.csv")
        with transaction.atomic():
            province = AdministrativeUnit.objects.get(code=PROVINCE_CODE)
            self._province(province)
            self._districts(province)
            self._communes(province)
            self._accounts()
            audit.record(actor=None, event="procedures.demo_loaded")
        procedures = load_catalogue()
        self.stdout.write(
            f"load_demo: {AdministrativeUnit.objects.count()} units, "
            f"{Agency.objects.count()} agencies, {ReceptionPoint.objects.count()} reception "
            f"points, {procedures} procedures, {User.objects.count()} accounts "
            f"(password {DEMO_PASSWORD})"
        )

    def _province(self, province: AdministrativeUnit) -> None:
        agencies = [
            Agency.objects.get_or_create(code=code, defaults={"name": name, "unit": province})[0]
            for code, name in DEPARTMENTS
        ]
        code, name = PROVINCIAL_CENTRE
        centre, _ = ReceptionPoint.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": ReceptionPoint.Kind.PROVINCIAL_CENTRE,
                "unit": province,
                "address": "28 Đại lộ Lê Lợi, phường Hạc Thành, tỉnh Thanh Hóa",
                "counters": 24,
            },
        )
        centre.agencies.add(*agencies[1:])

    def _districts(self, province: AdministrativeUnit) -> None:
        districts = province.children.filter(level=AdministrativeUnit.Level.DISTRICT)
        for sequence, district in enumerate(districts.order_by("code"), FIRST_DISTRICT_SEQUENCE):
            closed = {"valid_to": LAST_DAY_BEFORE_REFORM}
            agency, _ = Agency.objects.get_or_create(
                code=f"000.00.{sequence}.H56",
                defaults={"name": f"Ủy ban nhân dân {district.name}", "unit": district, **closed},
            )
            desk, _ = ReceptionPoint.objects.get_or_create(
                code=f"tn-tkq-{district.code}",
                defaults={
                    "name": f"Bộ phận Tiếp nhận và Trả kết quả {district.name}",
                    "kind": ReceptionPoint.Kind.RECEPTION_DESK,
                    "unit": district,
                    "counters": 6,
                    **closed,
                },
            )
            desk.agencies.add(agency)

    def _communes(self, province: AdministrativeUnit) -> None:
        communes = province.children.filter(
            level=AdministrativeUnit.Level.COMMUNE, valid_from=REFORM_DAY
        ).order_by("code")
        for sequence, commune in enumerate(communes, FIRST_COMMUNE_SEQUENCE):
            # Phường Hạc Thành (the provincial seat) gets a readable code for the demo.
            code = "H56.HT" if commune.code == "14797" else f"H56.{sequence}"
            opened = {"valid_from": REFORM_DAY}
            agency, _ = Agency.objects.get_or_create(
                code=code,
                defaults={"name": f"Ủy ban nhân dân {commune.name}", "unit": commune, **opened},
            )
            centre, _ = ReceptionPoint.objects.get_or_create(
                code=f"ttpvhcc-{commune.code}",
                defaults={
                    "name": f"Trung tâm Phục vụ hành chính công {commune.name}",
                    "kind": ReceptionPoint.Kind.COMMUNE_CENTRE,
                    "unit": commune,
                    "counters": 3,
                    **opened,
                },
            )
            centre.agencies.add(agency)

    def _accounts(self) -> None:
        if not User.objects.filter(username="admin").exists():
            User.objects.create_superuser(
                "admin", "admin@example.org", DEMO_PASSWORD, full_name="Quản trị hệ thống"
            )
        for username, full_name, role, field, key in OFFICERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"full_name": full_name, "is_staff": True},
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            target = SCOPE_MODELS[field].objects.valid_on(REFORM_DAY).get(code=key)
            scope: dict[str, Any] = {field: target}
            Assignment.objects.get_or_create(user=user, role=role, **scope)
        if not User.objects.filter(username="congdan").exists():
            User.objects.create_user(
                "congdan",
                "congdan@example.org",
                DEMO_PASSWORD,
                full_name="Nguyễn Thị Lan",
                phone="0912345678",
                citizen_id="038190000123",
            )
