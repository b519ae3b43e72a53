-- Reruns (issue 4) revive a stage's ticket rows: attempts are numbered on, and base_attempt (the attempts made
-- before the rerun) lets the retry budget start again for the new try.
ALTER TABLE ticket ADD COLUMN base_attempt INT DEFAULT 0 NOT NULL;
