-- Stage kinds (issue 3): loops number their iterations, for_each and multi-agent stages count their items,
-- compensation runs in reverse order of completion, and the run keeps its own history counter.

-- A loop's inner stages get new tickets every iteration; a ticket is one item of one iteration of a stage.
-- item -1 is the compensation ticket of a stage.
ALTER TABLE ticket ADD COLUMN iteration INT DEFAULT 0 NOT NULL;
ALTER TABLE ticket ADD COLUMN label VARCHAR(200);
DROP INDEX ticket_stage_item;
CREATE UNIQUE INDEX ticket_slot ON ticket (run_id, stage, iteration, item);

-- Counters instead of scans: a for_each of 10,000 items must not read 10,000 rows per reply.
ALTER TABLE run_stage ADD COLUMN iteration INT DEFAULT 0 NOT NULL;
ALTER TABLE run_stage ADD COLUMN items_total INT DEFAULT 0 NOT NULL;
ALTER TABLE run_stage ADD COLUMN items_next INT DEFAULT 0 NOT NULL;
ALTER TABLE run_stage ADD COLUMN items_done INT DEFAULT 0 NOT NULL;
-- The history number at which the stage succeeded: compensation runs in the reverse of this order.
ALTER TABLE run_stage ADD COLUMN done_seq INT;

-- The run's last history number, kept on the locked run row instead of MAX(seq) over a growing history.
ALTER TABLE run ADD COLUMN last_seq INT DEFAULT 0 NOT NULL;
UPDATE run SET last_seq = (SELECT COALESCE(MAX(seq), 0) FROM ticket_history h WHERE h.run_id = run.id);
