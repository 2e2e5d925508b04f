from django.db import migrations
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce


def count(apps, schema_editor):
    Dossier = apps.get_model("dossiers", "Dossier")
    Pause = apps.get_model("dossiers", "Pause")
    pauses = (
        Pause.objects.filter(dossier=OuterRef("pk"), stage="processing")
        .values("dossier")
        .annotate(n=Count("pk"))
        .values("n")
    )
    Dossier.objects.filter(pauses__stage="processing").update(
        pause_count=Coalesce(Subquery(pauses), 0)
    )


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0004_dossier_pause_count")]
    operations = [migrations.RunPython(count, migrations.RunPython.noop)]
