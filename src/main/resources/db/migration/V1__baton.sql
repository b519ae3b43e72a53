-- Baton's store. Portable between H2 2.x and PostgreSQL 14+: TEXT for JSON. No database sequences:
-- after a kill -9, H2 restarted an IDENTITY below values it had already committed (CrashIT saw the
-- duplicate key), so history rows are numbered per run, under the run's lock.

CREATE TABLE pipeline_revision (
    pipeline   VARCHAR(63)  NOT NULL,
    revision   VARCHAR(64)  NOT NULL,
    file       VARCHAR(500),
    source     TEXT         NOT NULL,
    loaded_at  TIMESTAMP    NOT NULL,
    PRIMARY KEY (pipeline, revision)
);

CREATE TABLE run (
    id              VARCHAR(36)  PRIMARY KEY,
    pipeline        VARCHAR(63)  NOT NULL,
    revision        VARCHAR(64)  NOT NULL,
    status          VARCHAR(20)  NOT NULL,
    params          TEXT         NOT NULL,
    context         TEXT         NOT NULL,
    idempotency_key VARCHAR(200),
    error           TEXT,
    created_at      TIMESTAMP    NOT NULL,
    updated_at      TIMESTAMP    NOT NULL,
    finished_at     TIMESTAMP
);
CREATE UNIQUE INDEX run_idempotency_key ON run (idempotency_key);
CREATE INDEX run_status ON run (status);
CREATE INDEX run_pipeline ON run (pipeline, created_at);

CREATE TABLE run_stage (
    run_id      VARCHAR(36) NOT NULL,
    name        VARCHAR(63) NOT NULL,
    status      VARCHAR(20) NOT NULL,
    attempts    INT         NOT NULL,
    output      TEXT,
    error       TEXT,
    started_at  TIMESTAMP,
    finished_at TIMESTAMP,
    PRIMARY KEY (run_id, name)
);

CREATE TABLE ticket (
    id          VARCHAR(36)  PRIMARY KEY,
    run_id      VARCHAR(36)  NOT NULL,
    stage       VARCHAR(63)  NOT NULL,
    item        INT          NOT NULL,
    attempt     INT          NOT NULL,
    agent       VARCHAR(100),
    status      VARCHAR(20)  NOT NULL,
    input       TEXT,
    output      TEXT,
    error       TEXT,
    lease_until TIMESTAMP,
    created_at  TIMESTAMP    NOT NULL,
    updated_at  TIMESTAMP    NOT NULL
);
CREATE UNIQUE INDEX ticket_stage_item ON ticket (run_id, stage, item);

CREATE TABLE ticket_history (
    run_id    VARCHAR(36)  NOT NULL,
    seq       INT          NOT NULL,
    ticket_id VARCHAR(36),
    stage     VARCHAR(63),
    attempt   INT,
    status    VARCHAR(20)  NOT NULL,
    agent     VARCHAR(100),
    actor     VARCHAR(100),
    detail    TEXT,
    at        TIMESTAMP    NOT NULL,
    PRIMARY KEY (run_id, seq)
);

-- Inbound messages already applied; the insert shares the transaction that applies the message.
CREATE TABLE inbox (
    message_id  VARCHAR(200) PRIMARY KEY,
    received_at TIMESTAMP    NOT NULL
);

-- Messages committed with a state change and not yet handed to the broker.
CREATE TABLE outbox (
    id             VARCHAR(36)  PRIMARY KEY,
    destination    VARCHAR(200) NOT NULL,
    body           TEXT         NOT NULL,
    correlation_id VARCHAR(100),
    reply_to       VARCHAR(200),
    priority       INT          NOT NULL,
    deliver_at     BIGINT       NOT NULL,
    expires_at     BIGINT       NOT NULL,
    created_at     TIMESTAMP    NOT NULL
);
CREATE INDEX outbox_created ON outbox (created_at);
