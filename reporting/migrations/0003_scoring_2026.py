import json
from pathlib import Path

from django.db import migrations

CONFIG = Path(__file__).resolve().parents[1] / "scoring" / "2026.json"


def load(apps, schema_editor):
    ScoringVersion = apps.get_model("reporting", "ScoringVersion")
    config = json.loads(CONFIG.read_text(encoding="utf-8"))
    ScoringVersion.objects.update_or_create(
        code=config["version"],
        defaults={"effective_from": config["effective_from"], "config": config},
    )


def unload(apps, schema_editor):
    apps.get_model("reporting", "ScoringVersion").objects.filter(
        code="766-portal-2026"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("reporting", "0002_scoring_version")]
    operations = [migrations.RunPython(load, unload)]
