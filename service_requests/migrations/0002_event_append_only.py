from django.db import migrations

# The timeline is an audit: the database itself refuses to rewrite or delete it.
FORWARD = """
CREATE FUNCTION service_requests_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'service_requests_event is append-only (% refused)', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER service_requests_event_append_only
    BEFORE UPDATE OR DELETE ON service_requests_event
    FOR EACH ROW EXECUTE FUNCTION service_requests_event_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS service_requests_event_append_only ON service_requests_event;
DROP FUNCTION IF EXISTS service_requests_event_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("service_requests", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
