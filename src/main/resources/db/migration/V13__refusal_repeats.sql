-- Refused messages (issue 18): a flood of duplicate or late replies must not add a history row each. A refusal that
-- repeats the newest refusal of its ticket (same attempt, same reason), or that comes after a ticket already has its
-- share of refusal rows, is counted on that row instead: repeats is how many more times it came, repeated_at when last.
ALTER TABLE ticket_history ADD COLUMN repeats INT DEFAULT 0 NOT NULL;
ALTER TABLE ticket_history ADD COLUMN repeated_at TIMESTAMP;
-- The newest refusal of a ticket is looked up for every refused reply.
CREATE INDEX ticket_history_ticket ON ticket_history (ticket_id, status, seq);
