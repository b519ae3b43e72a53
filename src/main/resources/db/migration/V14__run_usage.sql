-- A run's spending, kept as running totals so that spec.budget is checked in the transaction of each reply without
-- reading every ticket of the run: tokens reported (their total), and what the priced ones cost in US dollars
-- (NULL: no reply of the run was priced).
ALTER TABLE run ADD COLUMN tokens BIGINT DEFAULT 0 NOT NULL;
ALTER TABLE run ADD COLUMN cost_usd DOUBLE PRECISION;
