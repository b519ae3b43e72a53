-- Retention (baton.retention.finished-runs, baton purge): finished runs are found oldest first by when they ended.
CREATE INDEX run_finished ON run (finished_at);
