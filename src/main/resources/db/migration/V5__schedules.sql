-- Schedules (issue 4): for each pipeline with spec.schedule, the chain of ticks that is current and the revision
-- whose params its runs start with. Written by whichever Baton loaded the file last; a tick message of any other
-- chain (an old cron, a removed schedule) is dropped when it comes due. No row: the pipeline has no schedule.
CREATE TABLE pipeline_schedule (
    pipeline   VARCHAR(63)  PRIMARY KEY,
    chain      VARCHAR(64)  NOT NULL,
    revision   VARCHAR(64)  NOT NULL,
    updated_at TIMESTAMP    NOT NULL
);
