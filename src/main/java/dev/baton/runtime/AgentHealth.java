package dev.baton.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.agent.protocol.Heartbeat;
import dev.baton.compile.Endpoints;
import dev.baton.pipeline.Json;
import dev.baton.ticket.AgentStore;
import dev.baton.ticket.AgentStore.HeldTicket;
import dev.baton.ticket.AgentStore.InstanceRow;
import dev.baton.ticket.OutboxStore;
import dev.baton.ticket.Rows.Outgoing;
import dev.baton.ticket.RunStore;
import dev.baton.ticket.Tx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Agent health from heartbeats: applies each heartbeat on {@code baton.heartbeats} to the database, and marks an
 * instance unseen for {@link Policy#missed} intervals DOWN. Marking DOWN and queueing an {@code instance-down}
 * coordinator message for each ticket attempt the instance held are one transaction, so a crash in between loses
 * no failover; the engine ends those attempts' leases there and then ({@link AttemptEnds#onInstanceDown}).
 */
public final class AgentHealth {
    private static final Logger LOG = LoggerFactory.getLogger(AgentHealth.class);
    public static final String UP = "UP";
    public static final String DOWN = "DOWN";
    public static final String UNKNOWN = "UNKNOWN";
    static final String INSTANCE_DOWN_MESSAGE = "instance-down";
    private static final int MAX_IN_FLIGHT = 1000;

    /**
     * When an agent is healthy: a heartbeat every {@code interval}; {@code missed} intervals without one is DOWN. One
     * agent may have at most {@code maxInstances} instances registered.
     */
    public record Policy(Duration interval, int missed, int maxInstances) {
        public Policy(Duration interval, int missed) {
            this(interval, missed, dev.baton.config.BatonSettings.Limits.MAX_INSTANCES);
        }

        public Duration downAfter() {
            return interval.multipliedBy(missed);
        }

        /** UP, DOWN or UNKNOWN (never heard of) from the newest heartbeat. */
        public String of(Instant lastHeartbeat, Instant now) {
            if (lastHeartbeat == null) {
                return UNKNOWN;
            }
            return lastHeartbeat.isBefore(now.minus(downAfter())) ? DOWN : UP;
        }
    }

    private final Tx tx;
    private final AgentStore agents;
    private final RunStore runs;
    private final OutboxStore outbox;
    private final Policy policy;
    private final Clock clock;

    public AgentHealth(Tx tx, AgentStore agents, RunStore runs, OutboxStore outbox, Policy policy, Clock clock) {
        this.tx = tx;
        this.agents = agents;
        this.runs = runs;
        this.outbox = outbox;
        this.policy = policy;
        this.clock = clock;
    }

    public Policy policy() {
        return policy;
    }

    /** A heartbeat that is refused and not applied, with why; {@code reason} is a short tag for the metric. */
    public static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        private final String reason;

        Refused(String reason, String message) {
            super(message, null, false, false);
            this.reason = reason;
        }

        public String reason() {
            return reason;
        }
    }

    /** A heartbeat sent by Baton's own user (the in-process agents), which may speak for any agent. */
    public void onHeartbeat(String body) {
        onHeartbeat(body, null);
    }

    /**
     * A heartbeat {@code {"type": "heartbeat", "agent", "instance", "at", "inFlight": [ticketIds]}} sent by broker
     * user {@code sender} (null: Baton's own). One that is older than the DOWN threshold (queued while Baton was down)
     * is ignored: it proves nothing about now.
     *
     * @throws Refused when an agent's user speaks for another agent, or a new instance would exceed
     *     {@link Policy#maxInstances}: nothing is applied
     */
    public void onHeartbeat(String body, String sender) {
        JsonNode hb;
        try {
            hb = Json.parse(body == null ? "" : body);
        } catch (IllegalArgumentException e) {
            throw new PoisonMessageException("heartbeat is not JSON: " + e.getMessage());
        }
        Heartbeat beat = Heartbeat.read(hb, MAX_IN_FLIGHT);
        String agent = beat.agent();
        String instance = beat.instance();
        if (!Heartbeat.TYPE.equals(beat.type())
                || agent == null
                || instance == null
                || agent.length() > 100
                || instance.length() > 200) {
            throw new PoisonMessageException("a heartbeat needs \"type\": \"heartbeat\", \"agent\" (at most 100 "
                    + "characters) and \"instance\" (at most 200)");
        }
        if (sender != null && !sender.equals(agent)) {
            // Otherwise one agent's user could mark another UP with nothing behind it, or claim its tickets.
            throw new Refused(
                    "other-agent",
                    "heartbeat for agent '" + agent + "' (instance '" + instance + "') sent by broker user '" + sender
                            + "': an agent's user speaks only for itself");
        }
        Instant now = clock.instant();
        Instant at = beat.sentAt();
        if (at != null && at.isBefore(now.minus(policy.downAfter()))) {
            LOG.debug("heartbeat of {}/{} from {} is too old to count", agent, instance, at);
            return;
        }
        List<String> inFlight = beat.inFlight();
        String before = tx.run(c -> {
            roomFor(c, agent, instance);
            String was = agents.heartbeat(c, agent, instance, now, Json.write(Json.MAPPER.valueToTree(inFlight)));
            for (String ticketId : inFlight) {
                var t = runs.ticketRows().ticket(c, ticketId);
                // Only the current attempt of an active ticket of this agent, and only when no instance said so
                // more precisely (in a reply): inFlight carries no attempt numbers.
                if (t.isPresent()
                        && agent.equals(t.get().agent())
                        && t.get().status().active()
                        && agents.holder(c, ticketId, t.get().attempt()).isEmpty()) {
                    agents.hold(c, ticketId, t.get().attempt(), agent, instance, now);
                }
            }
            return was;
        });
        if (before == null) {
            LOG.info("agent {} instance {} is UP (first heartbeat)", agent, instance);
        } else if (DOWN.equals(before)) {
            LOG.info("agent {} instance {} is UP again", agent, instance);
        }
    }

    /**
     * Makes room for a new instance of the agent: at the limit, the instance DOWN the longest is forgotten (its
     * failover was done when it went DOWN); when every one is UP, the heartbeat is refused.
     */
    private void roomFor(java.sql.Connection c, String agent, String instance) throws java.sql.SQLException {
        if (agents.known(c, agent, instance) || agents.countLocked(c, agent) < policy.maxInstances()) {
            return;
        }
        if (!agents.forgetOldestDown(c, agent)) {
            throw new Refused(
                    "too-many-instances",
                    "heartbeat of a new instance '" + instance + "' of agent '"
                            + agent + "' refused: it already has " + policy.maxInstances() + " instances UP, the limit "
                            + "(baton.agents.max-instances)");
        }
    }

    /**
     * Marks every instance silent for too long DOWN and queues the failover of what it held; returns the messages
     * for the relay. Run by every Baton process; the conditional update lets one of them do each instance. Instances
     * of {@code local} processes that are gone (this host's previous Baton, after a restart) are marked DOWN at once,
     * with one line per process rather than one WARN per agent.
     */
    public List<Outgoing> sweep(LocalProcesses local) {
        return tx.run(c -> {
            Instant now = clock.instant();
            Instant cutoff = now.minus(policy.downAfter());
            List<Outgoing> out = new ArrayList<>();
            Map<Long, int[]> gone = new TreeMap<>(); // pid -> {instances, attempts, spoke after this process started}
            List<InstanceRow> candidates = new ArrayList<>();
            if (local != null && local.hostSuffix() != null) {
                candidates.addAll(agents.upEndingWith(c, local.hostSuffix()));
            }
            candidates.addAll(agents.silentSince(c, cutoff));
            for (InstanceRow i : candidates) {
                long pid = local == null ? -1 : local.gonePid(i.instance(), i.lastHeartbeat());
                if (pid > 0) {
                    if (agents.markDown(
                            c, i.agent(), i.instance(), i.lastHeartbeat().plusMillis(1), now)) {
                        // Nothing to fail over: a process's in-process agents take a ticket and answer it in one JMS
                        // transaction, so the broker redelivers what a dead process had not answered. Failing over
                        // as well would add an attempt the redelivered ticket's answer then finds stale.
                        int[] n = gone.computeIfAbsent(pid, p -> new int[3]);
                        n[0]++;
                        n[2] += local.beforeThisProcess(i.lastHeartbeat()) ? 0 : 1;
                    }
                } else if (i.lastHeartbeat().isBefore(cutoff)
                        && agents.markDown(c, i.agent(), i.instance(), cutoff, now)) {
                    int held = failover(c, i, now, out);
                    LOG.warn(
                            "agent {} instance {} is DOWN: no heartbeat since {}; {} ticket(s) to fail over",
                            i.agent(),
                            i.instance(),
                            i.lastHeartbeat(),
                            held);
                }
            }
            gone.forEach((pid, n) -> {
                if (n[2] == 0) {
                    LOG.info(
                            "Baton process {}{} of this host's previous start is gone: its {} agent instance(s) "
                                    + "marked DOWN; the broker redelivers the tickets they had not answered",
                            pid,
                            local.hostSuffix(),
                            n[0]);
                } else {
                    LOG.warn(
                            "process {}{} on this host is no longer running: its {} agent instance(s) marked "
                                    + "DOWN; the broker redelivers the tickets they had not answered",
                            pid,
                            local.hostSuffix(),
                            n[0]);
                }
            });
            return out;
        });
    }

    /**
     * Queues an {@code instance-down} coordinator message for every attempt the instance (just marked DOWN) held, and
     * when no instance of its agent is UP any more, for the agent's RUNNING tickets no instance claimed.
     */
    private int failover(java.sql.Connection c, InstanceRow i, Instant now, List<Outgoing> out)
            throws java.sql.SQLException {
        boolean agentDown =
                !UP.equals(policy.of(agents.lastHeartbeats(c).get(i.agent()), now)) || !agents.anyUp(c, i.agent());
        List<HeldTicket> held = agents.heldBy(c, i.agent(), i.instance(), agentDown);
        for (HeldTicket t : held) {
            ObjectNode msg = Json.object()
                    .put("type", INSTANCE_DOWN_MESSAGE)
                    .put("ticketId", t.ticketId())
                    .put("attempt", t.attempt())
                    .put("agent", i.agent())
                    .put("instance", i.instance())
                    .put("lastHeartbeat", i.lastHeartbeat().toString());
            Outgoing m = new Outgoing(
                    UUID.randomUUID().toString(),
                    Endpoints.queue(Endpoints.COORDINATOR),
                    Json.write(msg),
                    t.ticketId(),
                    null,
                    6,
                    0,
                    0);
            outbox.add(c, m, now);
            out.add(m);
        }
        return held.size();
    }
}
