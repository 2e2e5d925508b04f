import factory

from portal.models import User
from procedures.models import AdministrativeUnit, Agency, ReceptionPoint


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
