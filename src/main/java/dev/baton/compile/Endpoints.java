package dev.baton.compile;

/** Names every queue, header and route id Baton uses; nothing else glues strings into URIs. */
public final class Endpoints {
    public static final String RESULTS = "baton.results";
    public static final String COORDINATOR = "baton.coordinator";
    public static final String EVENTS = "baton.events";
    /** Decisions on approval stages from enterprise systems; a reply goes to JMSReplyTo when one is set. */
    public static final String APPROVALS = "baton.approvals";
    /**
     * Runs submitted over JMS: the pipeline and an optional idempotency key in these properties, the params as a JSON
     * text body; the final result (or why none will come) goes to JMSReplyTo.
     */
    public static final String SUBMIT = "baton.submit";

    public static final String HEADER_SUBMIT_PIPELINE = "BatonPipeline";
    public static final String HEADER_SUBMIT_IDEMPOTENCY_KEY = "BatonIdempotencyKey";
    /** On the answer to a submission that started no run: why, and the HTTP status the REST API would answer. */
    public static final String HEADER_SUBMIT_ERROR = "BatonError";

    public static final String HEADER_SUBMIT_ERROR_STATUS = "BatonErrorStatus";
    /** Camel JMS: a Destination in this header overrides the endpoint's destination (used for JMSReplyTo). */
    public static final String HEADER_CAMEL_DESTINATION = "CamelJmsDestination";
    /** Webhook attempts: one message per attempt, the later ones scheduled for the end of their back-off. */
    public static final String WEBHOOKS = "baton.webhooks";

    public static final String DEAD_LETTERS = "baton.DLQ";
    /**
     * Where the broker moves a ticket whose stage {@code deadline} passed while it waited in {@code baton.agent.*}
     * (the {@code expiry-address} of {@code baton.agent.#} in broker.xml); Baton handles each as a timeout.
     */
    public static final String TICKETS_EXPIRED = "baton.tickets.expired";
    /** Schedule ticks: one persistent message per pipeline, scheduled for its next fire time. */
    public static final String SCHEDULE = "baton.schedule";

    public static final String AGENT_PREFIX = "baton.agent.";
    /** Agents' heartbeats (multicast): every Baton process reads them through one shared queue, below. */
    public static final String HEARTBEATS = "baton.heartbeats";
    /** The queue of {@link #HEARTBEATS} Baton consumes, by its fully qualified name (address::queue). */
    public static final String HEARTBEATS_QUEUE = "baton.heartbeats::baton.heartbeats.engine";
    /** Multicast address per agent for control messages (cancel): {@code baton.control.<agent>}. */
    public static final String CONTROL_PREFIX = "baton.control.";

    /** Artemis duplicate detection: a re-sent message with the same id is dropped by the broker. */
    public static final String HEADER_DUPLICATE_ID = "_AMQ_DUPL_ID";
    /** Artemis scheduled delivery: absolute epoch millis. */
    public static final String HEADER_SCHEDULED = "_AMQ_SCHED_DELIVERY";
    /**
     * Set by Baton on a message it dead-letters itself: why, the queue it came from, the JMS message id it had there
     * (the copy on the DLQ gets a new one) and how many times it had been delivered.
     */
    public static final String HEADER_DEAD_LETTER_REASON = "BatonDeadLetterReason";

    public static final String HEADER_DEAD_LETTER_ORIGIN = "BatonDeadLetterOrigin";
    public static final String HEADER_DEAD_LETTER_MESSAGE_ID = "BatonDeadLetterMessageId";
    public static final String HEADER_DEAD_LETTER_DELIVERY_COUNT = "BatonDeadLetterDeliveryCount";
    /**
     * Set by Artemis on a message it moved to the dead-letter address after max-delivery-attempts: the address it
     * failed on. Artemis records no reason and no delivery count with it.
     */
    public static final String HEADER_ORIGINAL_ADDRESS = "_AMQ_ORIG_ADDRESS";
    /** JMS: how many times this message has been delivered, this delivery included. */
    public static final String HEADER_DELIVERY_COUNT = "JMSXDeliveryCount";
    /**
     * The broker's id of a message sent over STOMP, which has no JMS message id ({@code stompEnableMessageId} on the
     * acceptor in broker.xml); a redelivery keeps it.
     */
    public static final String HEADER_STOMP_MESSAGE_ID = "amqMessageId";
    /** Artemis' management address (broker.xml keeps the default): attribute reads and operations over JMS. */
    public static final String MANAGEMENT = "activemq.management";
    /** Artemis management resource name of a queue. */
    public static final String MANAGED_QUEUE_PREFIX = "queue.";
    /** Artemis management resource name of the broker. */
    public static final String MANAGED_BROKER = "broker";
    /** How the outbox names a queue and a topic: {@code queue:<name>}, {@code topic:<name>}. */
    public static final String QUEUE_PREFIX = "queue:";

    public static final String TOPIC_PREFIX = "topic:";

    /** Camel component for consumers (transacted, one message at a time per consumer). */
    public static final String JMS = "jms";
    /** Camel component for the outbox relay (cached sessions and producers). */
    public static final String JMS_OUT = "jmsout";
    /**
     * Camel component for in-process agents: its connections have {@code consumerWindowSize=0}, so each consumer
     * holds one ticket at a time and the broker's {@code max-consumers} bounds the tickets in flight.
     */
    public static final String JMS_AGENT = "jmsagent";

    public static final String ROUTE_RESULTS = "baton-results";
    public static final String ROUTE_RESULTS_APPLY = "baton-results-apply";
    public static final String ROUTE_COORDINATOR = "baton-coordinator";
    public static final String ROUTE_APPROVALS = "baton-approvals";
    public static final String ROUTE_SUBMIT = "baton-submit";
    public static final String ROUTE_RELAY = "baton-relay";
    public static final String ROUTE_SCHEDULE = "baton-schedule";
    public static final String ROUTE_WEBHOOKS = "baton-webhooks";
    public static final String ROUTE_TICKETS_EXPIRED = "baton-tickets-expired";
    public static final String ROUTE_OUTBOX_SWEEP = "baton-outbox-sweep";
    public static final String ROUTE_OUTBOX_DELETE = "baton-outbox-delete";
    public static final String ROUTE_INBOX_PRUNE = "baton-inbox-prune";
    public static final String ROUTE_RETENTION = "baton-retention";
    public static final String ROUTE_ROUTES_WATCH = "baton-routes-watch";
    public static final String ROUTE_HEARTBEATS = "baton-heartbeats";
    public static final String ROUTE_AGENT_SWEEP = "baton-agent-sweep";
    public static final String RELAY = "direct:baton-relay";

    private Endpoints() {}

    public static String agentQueue(String agent) {
        return AGENT_PREFIX + agent;
    }

    /** A destination as the outbox stores it. */
    public static String controlTopic(String agent) {
        return CONTROL_PREFIX + agent;
    }

    public static String queue(String name) {
        return QUEUE_PREFIX + name;
    }

    public static String topic(String name) {
        return TOPIC_PREFIX + name;
    }

    /**
     * A transacted consumer: the message is acknowledged only when the route has applied it. One local JMS
     * transaction on the consumer's own session (no JmsTransactionManager): sends made by the route through the
     * {@link #JMS} component join that session, so "ticket consumed" and "reply sent" commit together. With Camel's
     * lazily created JmsTransactionManager and a cached consumer they were two commits on two sessions, and a crash
     * between them acknowledged a ticket whose reply was lost (found by CrashIT).
     */
    public static String consumer(String queue, int consumers) {
        return consumer(JMS, queue, consumers);
    }

    private static String consumer(String component, String queue, int consumers) {
        return component + ":queue:" + queue + "?transacted=true&lazyCreateTransactionManager=false"
                + "&concurrentConsumers=" + consumers + "&maxMessagesPerTask=-1&cacheLevelName=CACHE_CONSUMER"
                + "&disableReplyTo=true";
    }

    /**
     * An in-process agent's consumer on its queue: like {@link #consumer} (the reply, sent through the same
     * component, commits with the ticket's acknowledgement) but on the {@link #JMS_AGENT} connections.
     */
    public static String agentConsumer(String agent, int consumers) {
        return consumer(JMS_AGENT, agentQueue(agent), consumers);
    }

    /** Where an in-process agent sends its replies: the results queue, in its consumer's transaction. */
    public static String agentReplies() {
        return JMS_AGENT + ":queue:" + RESULTS;
    }

    public static String producer(String destination) {
        return JMS_OUT + ":" + destination + "?preserveMessageQos=true";
    }

    public static String demoHeartbeatRoute(String agent) {
        return "baton-demo-heartbeat-" + agent;
    }

    public static String demoAgentRoute(String agent) {
        return "baton-demo-agent-" + agent;
    }

    /** The in-process route of an {@code llm} or {@code http} agent. */
    public static String serviceAgentRoute(String agent) {
        return "baton-service-agent-" + agent;
    }

    public static String camelAgentRoute(String agent) {
        return "baton-camel-agent-" + agent;
    }

    public static String pipelineTrigger(String pipeline) {
        return "direct:" + pipelineTriggerRoute(pipeline);
    }

    public static String pipelineTriggerRoute(String pipeline) {
        return "baton-start-" + pipeline;
    }

    /** Header of the results route: the id the inbox deduplicates a reply on. */
    public static final String HEADER_INBOX_ID = "BatonInboxId";
    /** Header: the run of the reply's ticket, read before the reply's batch (see the results route). */
    public static final String HEADER_RUN_ID = "BatonRunId";

    /** Exchange property of compiled routes: the scope prefix ({@code ""}, {@code "loop/"}) CEL is evaluated in. */
    public static final String PROPERTY_SCOPE = "BatonScope";
    /** The name CEL is registered under as a Camel language. */
    public static final String CEL = "cel";

    /**
     * The prefix of every route id of one pipeline revision: {@code baton.<pipeline>.<revision>.}, with the first 8
     * characters of the revision, so that two revisions can run side by side while runs finish on the older one.
     */
    public static String revisionRoutes(String pipeline, String revision) {
        return "baton." + pipeline + "." + revision.substring(0, 8) + ".";
    }

    /** The id of one part of a stage's compiled routes: {@code baton.<pipeline>.<revision>.<stage>.<part>}. */
    public static String stageRoute(String pipeline, String revision, String qualifiedStage, String part) {
        return revisionRoutes(pipeline, revision) + qualifiedStage.replace("/", ".") + "." + part;
    }

    /** The id of a route of the run as a whole (its end, its failure): {@code baton.<pipeline>.<revision>.<part>}. */
    public static String runRoute(String pipeline, String revision, String part) {
        return revisionRoutes(pipeline, revision) + part;
    }

    /** The endpoint a compiled route is called on. */
    public static String direct(String routeId) {
        return "direct:" + routeId;
    }
}
