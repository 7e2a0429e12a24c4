-- The audit trail is append-only: rows can never be updated, and only rows past the minimum
-- retention (90 days) can be deleted, by the retention job.
CREATE OR REPLACE FUNCTION audit_events_guard() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    RAISE EXCEPTION 'audit_events is append-only';
  END IF;
  IF OLD.occurred_at > now() - interval '90 days' THEN
    RAISE EXCEPTION 'audit_events younger than 90 days cannot be deleted';
  END IF;
  RETURN OLD;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER audit_events_append_only
  BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_guard();
