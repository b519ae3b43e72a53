-- Events and webhooks (issue 4). Every history row is also published on baton.events through the outbox (no new
-- table); a pipeline's spec.notify records a delivery per run outcome and every attempt to POST it.

-- One run outcome to deliver to one webhook. The payload is the event as published on baton.events, fixed when
-- the transition committed; url and max_attempts are fixed then too, so a later edit does not change a delivery.
CREATE TABLE webhook_delivery (
    id              VARCHAR(36)   PRIMARY KEY,
    run_id          VARCHAR(36)   NOT NULL,
    event_id        VARCHAR(36)   NOT NULL,
    outcome         VARCHAR(20)   NOT NULL,
    url             VARCHAR(2000) NOT NULL,
    payload         TEXT          NOT NULL,
    status          VARCHAR(20)   NOT NULL,
    attempts        INT           NOT NULL,
    max_attempts    INT           NOT NULL,
    next_attempt_at TIMESTAMP,
    created_at      TIMESTAMP     NOT NULL,
    updated_at      TIMESTAMP     NOT NULL
);
CREATE INDEX webhook_delivery_run ON webhook_delivery (run_id, created_at);

-- Every attempt: the HTTP status it got, or the error (connection refused, timeout), and when.
CREATE TABLE webhook_attempt (
    delivery_id VARCHAR(36) NOT NULL,
    attempt     INT         NOT NULL,
    started_at  TIMESTAMP   NOT NULL,
    finished_at TIMESTAMP   NOT NULL,
    status_code INT,
    error       TEXT,
    PRIMARY KEY (delivery_id, attempt)
);
