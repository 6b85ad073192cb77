from django.db import migrations

# A published form version is what requests were filed under: its schema, silence rule and
# delay never change. Publishing (setting published_at once) is the only update allowed, and a
# published version is never deleted.
FORWARD = """
CREATE FUNCTION forms_builder_formversion_immutable() RETURNS trigger AS $$
BEGIN
    IF OLD.published_at IS NOT NULL THEN
        IF TG_OP = 'DELETE' THEN
            RAISE EXCEPTION 'a published form version cannot be deleted'
                USING ERRCODE = 'restrict_violation';
        END IF;
        IF NEW.schema IS DISTINCT FROM OLD.schema
           OR NEW.silence_rule IS DISTINCT FROM OLD.silence_rule
           OR NEW.silence_delay IS DISTINCT FROM OLD.silence_delay
           OR NEW.procedure_id IS DISTINCT FROM OLD.procedure_id
           OR NEW.number IS DISTINCT FROM OLD.number
           OR NEW.published_at IS DISTINCT FROM OLD.published_at THEN
            RAISE EXCEPTION 'a published form version is immutable'
                USING ERRCODE = 'restrict_violation';
        END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER forms_builder_formversion_immutable
    BEFORE UPDATE OR DELETE ON forms_builder_formversion
    FOR EACH ROW EXECUTE FUNCTION forms_builder_formversion_immutable();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS forms_builder_formversion_immutable ON forms_builder_formversion;
DROP FUNCTION IF EXISTS forms_builder_formversion_immutable();
"""


class Migration(migrations.Migration):
    dependencies = [("forms_builder", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
