-- How many times a run was rerun. A rerun leaves the ticket rows of the stages it resets (the history of the earlier
-- attempts) and revives them when the stages run again; a run never rerun has no such rows, so dispatching its
-- tickets need not look for one. Runs from before this column count the reruns their history records.
ALTER TABLE run ADD COLUMN reruns INT DEFAULT 0 NOT NULL;
UPDATE run SET reruns = (SELECT COUNT(*) FROM ticket_history h WHERE h.run_id = run.id AND h.status = 'RUN_RERUN');
