package dev.baton.broker;

import java.nio.file.Path;
import java.util.Set;
import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.security.Role;
import org.apache.activemq.artemis.core.server.ActiveMQServer;
import org.apache.activemq.artemis.core.server.impl.AddressInfo;

/**
 * Who logs in to the broker and what each role may do there (README: Security). The static rules are the
 * {@code security-settings} of {@code broker/broker.xml}; the rules that name one agent's queue cannot be written
 * there for agents nobody listed yet, so Baton adds them to the embedded broker as it learns the agents
 * ({@link #allowAgent}).
 *
 * @param batonUser Baton's own broker user (role {@value #BATON_ROLE}: everything)
 * @param batonPassword its password; kept in memory only
 * @param usersFile {@code user = ENC(hash)} lines, see {@code baton broker-user}
 * @param rolesFile {@code role = user,user} lines
 */
public record BrokerAccess(String batonUser, String batonPassword, Path usersFile, Path rolesFile) {
    /** Baton's own connections: engine, relay, demo agents, management queries. */
    public static final String BATON_ROLE = "baton";
    /** Every agent user: may send to baton.results and baton.heartbeats (broker.xml). */
    public static final String AGENT_ROLE = "agent";
    /** A system that starts runs over JMS: may send to baton.submit and read answers on its temporary queues. */
    public static final String SUBMITTER_ROLE = "submitter";
    /** A person or system that decides approvals over JMS: may send to baton.approvals, answers as above. */
    public static final String APPROVER_ROLE = "approver";

    @Override
    public String toString() {
        return "BrokerAccess[batonUser=" + batonUser + ", usersFile=" + usersFile + ", rolesFile=" + rolesFile + "]";
    }

    /** The role only agent {@code agent}'s user has: consume its own queue and control address. */
    public static String agentRole(String agent) {
        return AGENT_ROLE + "." + agent;
    }

    /**
     * Lets agent {@code agent}'s user consume {@code baton.agent.<agent>} (not browse it) and subscribe to
     * {@code baton.control.<agent>} (a subscription is a non-durable queue of its own). Matches are exact names:
     * an agent name holds no wildcard ({@code [a-z0-9-]+}). The queue and the control address are created here,
     * as Baton's: an agent that starts before its first ticket may not create them.
     */
    public static void allowAgent(ActiveMQServer server, String agent) {
        String queue = "baton.agent." + agent;
        String control = "baton.control." + agent;
        try {
            server.createQueue(
                    QueueConfiguration.of(queue)
                            .setAddress(queue)
                            .setRoutingType(RoutingType.ANYCAST)
                            .setDurable(true)
                            .setAutoCreateAddress(true),
                    true);
            server.addAddressInfo(new AddressInfo(SimpleString.of(control), RoutingType.MULTICAST));
        } catch (Exception e) {
            throw new IllegalStateException("cannot create " + queue + " and " + control + ": " + e.getMessage(), e);
        }
        var repository = server.getSecurityRepository();
        repository.addMatch(queue, Set.of(baton(), role(agentRole(agent), false, true, false, false)));
        // createAddress on its own control address only: a STOMP subscription's queue is created without a routing
        // type, and Artemis then checks CREATE_ADDRESS on the address (ServerSessionImpl.createQueue) even though
        // the address exists. Nothing else of the broker's is opened by it.
        repository.addMatch(
                control,
                Set.of(
                        baton(),
                        new Role(
                                agentRole(agent),
                                false,
                                true,
                                false,
                                false,
                                true,
                                true,
                                false,
                                false,
                                true,
                                false,
                                false,
                                false)));
    }

    private static Role baton() {
        return new Role(BATON_ROLE, true, true, true, true, true, true, true, true, true, true, true, true);
    }

    private static Role role(
            String name, boolean send, boolean consume, boolean createNonDurable, boolean deleteNonDurable) {
        // name, send, consume, createDurableQueue, deleteDurableQueue, createNonDurableQueue, deleteNonDurableQueue,
        // manage, browse, createAddress, deleteAddress, view, edit
        return new Role(
                name,
                send,
                consume,
                false,
                false,
                createNonDurable,
                deleteNonDurable,
                false,
                false,
                false,
                false,
                false,
                false);
    }
}
