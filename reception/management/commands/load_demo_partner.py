"""The sandbox postal partner of the demo (after load_demo). Idempotent: prints the API key
only when it creates the partner; run again with --rotate for a new key."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from procedures.models import ReceptionPoint
from reception.models import SCOPES, PartnerClient
from reception.postal.keys import partner_create, partner_key_rotate

CODE = "buudien-sandbox"
POINTS = ["ttpvhcc-tinh-thanh-hoa", "ttpvhcc-14797"]


class Command(BaseCommand):
    help = "Create the demo's sandbox postal partner and print its API key once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rotate", action="store_true", help="issue a new key")

    def handle(self, *args: Any, **options: Any) -> None:
        client = PartnerClient.objects.filter(code=CODE).first()
        if client is not None:
            if options["rotate"]:
                self.stdout.write(
                    f"{CODE}: new API key {partner_key_rotate(client=client, actor=None)}"
                )
            else:
                self.stdout.write(f"{CODE}: exists (use --rotate for a new key)")
            return
        points = list(ReceptionPoint.objects.filter(code__in=POINTS))
        if len(points) != len(POINTS):
            raise CommandError("run load_demo first")
        made = partner_create(
            code=CODE,
            name="Bưu điện tỉnh Thanh Hóa (thử nghiệm)",
            scopes=list(SCOPES),
            reception_points=points,
            actor=None,
        )
        self.stdout.write(
            f"{CODE}: API key {made.api_key} (Authorization: Api-Key …), "
            f"webhook secret {made.webhook_secret}"
        )
