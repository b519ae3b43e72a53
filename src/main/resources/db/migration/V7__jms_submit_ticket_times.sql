-- JMS submission and metrics (issue 6).
-- A run started from baton.submit answers its submitter when it ends: where (a JMS destination as the outbox names
-- one, "queue:<name>" or "topic:<name>") and with which correlation id. Kept with the run so that a restart between
-- start and end still answers. A submission that repeats an idempotency key while the run is in flight adds its own
-- row, so every submitter is answered. The rows are deleted when the answers go into the outbox, so a rerun of the
-- run does not answer again.
CREATE TABLE run_reply (
    run_id         VARCHAR(36)  NOT NULL,
    destination    VARCHAR(200) NOT NULL,
    correlation_id VARCHAR(100) NOT NULL,
    created_at     TIMESTAMP    NOT NULL,
    PRIMARY KEY (run_id, destination, correlation_id)
);
-- When the current attempt of a ticket became deliverable to its agent (after any retry back-off) and when the agent
-- was first heard from (progress): the queue-wait and processing-time histograms of GET /api/metrics.
ALTER TABLE ticket ADD COLUMN queued_at TIMESTAMP;
ALTER TABLE ticket ADD COLUMN running_at TIMESTAMP;
