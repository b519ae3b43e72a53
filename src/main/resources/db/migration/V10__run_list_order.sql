-- GET /api/runs pages newest first by (created_at, id): the keyset cursor reads this index.
CREATE INDEX run_created_id ON run (created_at, id);
