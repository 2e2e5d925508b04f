from decimal import Decimal

import factory
from django.utils.text import slugify

from portal.models import User
from procedures.deadlines import TimeLimitUnit
from procedures.models import AdministrativeUnit, Agency, Procedure, ReceptionPoint, Sector
from procedures.search import fold
from procedures.services.catalogue import index


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Faker("name", locale="vi_VN")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdministrativeUnit

    code = factory.Sequence(lambda n: f"{n % 100:02d}")
    name = factory.Sequence(lambda n: f"Tỉnh {n}")
    level = AdministrativeUnit.Level.PROVINCE


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    code = factory.Sequence(lambda n: f"000.00.{n:02d}.H99")
    name = factory.Sequence(lambda n: f"Sở {n}")
    unit = factory.SubFactory(UnitFactory)


class ReceptionPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReceptionPoint

    code = factory.Sequence(lambda n: f"point-{n}")
    name = factory.Sequence(lambda n: f"Bộ phận một cửa {n}")
    kind = ReceptionPoint.Kind.COMMUNE_CENTRE
    unit = factory.SubFactory(UnitFactory)


class SectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sector
        django_get_or_create = ("code",)

    name = "Hộ tịch"
    code = factory.LazyAttribute(lambda sector: slugify(fold(sector.name)))


class ProcedureFactory(factory.django.DjangoModelFactory):
    """A published procedure, indexed for search as the services index it."""

    class Meta:
        model = Procedure

    code = factory.Sequence(lambda n: f"9.{n:06d}")
    name = factory.Sequence(lambda n: f"Thủ tục thử {n}")
    sector = factory.SubFactory(SectorFactory)
    level = AdministrativeUnit.Level.COMMUNE
    time_limit = Decimal(3)
    time_limit_unit = TimeLimitUnit.WORKING_DAYS
    status = Procedure.Status.PUBLISHED

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        procedure = model_class(*args, **kwargs)
        index(procedure)
        procedure.save()
        return procedure
