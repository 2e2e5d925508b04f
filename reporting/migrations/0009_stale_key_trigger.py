"""A dossier deleted, or moved to another key, leaves no `updated_at` for the incremental
refresh to find: the database records the key it left in reporting_stalekey (whatever
wrote the change: a service, the admin, a script). TRUNCATE fires no row trigger, and
needs none: it empties the snapshot's sources wholesale, and a full refresh follows."""

from django.db import migrations

KEY_COLUMNS = ("unit_id", "agency_id", "reception_point_id", "procedure_id")
OLD_KEY = "OLD.unit_id, OLD.agency_id, COALESCE(OLD.reception_point_id, 0), OLD.procedure_id"
INSERT = (
    f"INSERT INTO reporting_stalekey (unit_id, agency_id, point, procedure_id) VALUES ({OLD_KEY})"
)
MOVED = " OR ".join(f"OLD.{column} IS DISTINCT FROM NEW.{column}" for column in KEY_COLUMNS)

CREATE = f"""
CREATE OR REPLACE FUNCTION reporting_stale_key() RETURNS trigger AS $$
BEGIN
    {INSERT};
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER reporting_stale_key_deleted AFTER DELETE ON dossiers_dossier
    FOR EACH ROW EXECUTE FUNCTION reporting_stale_key();
CREATE TRIGGER reporting_stale_key_moved AFTER UPDATE OF {", ".join(KEY_COLUMNS)}
    ON dossiers_dossier FOR EACH ROW WHEN ({MOVED}) EXECUTE FUNCTION reporting_stale_key();
"""
DROP = """
DROP TRIGGER IF EXISTS reporting_stale_key_deleted ON dossiers_dossier;
DROP TRIGGER IF EXISTS reporting_stale_key_moved ON dossiers_dossier;
DROP FUNCTION IF EXISTS reporting_stale_key();
"""
SQLITE_MOVED = MOVED.replace("IS DISTINCT FROM", "IS NOT")
SQLITE_CREATE = [
    f"""CREATE TRIGGER reporting_stale_key_deleted AFTER DELETE ON dossiers_dossier
    BEGIN {INSERT}; END""",
    f"""CREATE TRIGGER reporting_stale_key_moved AFTER UPDATE OF {", ".join(KEY_COLUMNS)}
    ON dossiers_dossier WHEN {SQLITE_MOVED} BEGIN {INSERT}; END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS reporting_stale_key_deleted",
    "DROP TRIGGER IF EXISTS reporting_stale_key_moved",
]


def create_triggers(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_CREATE:
            schema_editor.execute(statement)


def drop_triggers(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(DROP, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("reporting", "0008_stale_keys"), ("dossiers", "0010_result_kinds_issued")]

    operations = [migrations.RunPython(create_triggers, drop_triggers, elidable=False)]
