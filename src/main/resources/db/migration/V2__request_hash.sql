-- The hash of the request that created a run, so that an Idempotency-Key replay is judged against the
-- original request and not against the pipeline as it is loaded now (defaults may have changed since).
ALTER TABLE run ADD COLUMN request_hash VARCHAR(64);
