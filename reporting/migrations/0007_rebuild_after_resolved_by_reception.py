from django.db import migrations


def forget_watermark(apps, schema_editor) -> None:
    # The rows written before 0006 hold zero in its new columns, and an incremental refresh
    # rebuilds only the rows of changed dossiers: without a watermark the next refresh is a
    # full one, and until it has run the dashboards compute live (reporting.snapshots).
    apps.get_model("reporting", "RefreshState").objects.update(watermark=None)


class Migration(migrations.Migration):
    dependencies = [("reporting", "0006_resolved_by_reception")]
    operations = [migrations.RunPython(forget_watermark, migrations.RunPython.noop)]
