-- Agents (issue 5): every agent instance Baton has heard a heartbeat from, and which instance holds which ticket
-- attempt. Health is judged from last_heartbeat (written with Baton's clock when the heartbeat is applied), so every
-- Baton process, and a restarted one, agrees; status DOWN records that the failover of the instance was done, by
-- whichever process marked it first (a conditional update).
CREATE TABLE agent_instance (
    agent          VARCHAR(100) NOT NULL,
    instance       VARCHAR(200) NOT NULL,
    status         VARCHAR(10)  NOT NULL,
    first_seen     TIMESTAMP    NOT NULL,
    last_heartbeat TIMESTAMP    NOT NULL,
    down_at        TIMESTAMP,
    in_flight      TEXT,
    PRIMARY KEY (agent, instance)
);

-- The instance that said (in a reply, a progress report or a heartbeat's inFlight) that it holds a ticket's attempt.
CREATE TABLE ticket_holder (
    ticket_id VARCHAR(36)  PRIMARY KEY,
    attempt   INT          NOT NULL,
    agent     VARCHAR(100) NOT NULL,
    instance  VARCHAR(200) NOT NULL,
    at        TIMESTAMP    NOT NULL
);
CREATE INDEX ticket_holder_instance ON ticket_holder (agent, instance);

-- Load per agent (tickets QUEUED or RUNNING) for agentSelector and GET /api/agents.
CREATE INDEX ticket_agent_status ON ticket (agent, status);
