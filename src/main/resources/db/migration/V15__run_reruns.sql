-- How many times a run was rerun. A rerun leaves the ticket rows of the stages it resets (the history of the earlier
-- attempts) and revives them when the stages run again; a run never rerun has no such rows, so dispatching its
-- tickets need not look for one. Runs from before this column count the reruns their history records (only the runs
-- that have a RUN_RERUN row are rewritten; such rows name no ticket, which the ticket_history_ticket index finds).
ALTER TABLE run ADD COLUMN reruns INT DEFAULT 0 NOT NULL;
UPDATE run SET reruns = (SELECT COUNT(*) FROM ticket_history h WHERE h.run_id = run.id AND h.status = 'RUN_RERUN')
    WHERE id IN (SELECT run_id FROM ticket_history WHERE ticket_id IS NULL AND status = 'RUN_RERUN');
