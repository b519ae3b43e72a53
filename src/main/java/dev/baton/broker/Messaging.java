package dev.baton.broker;

import dev.baton.config.BatonSettings.BrokerSettings;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.camel.component.jms.JmsComponent;
import org.springframework.jms.connection.CachingConnectionFactory;

/**
 * Baton's connections to the broker, one factory per use, and the three Camel JMS components over them: consumers,
 * sends from the outbox relay (cached sessions), and in-process agents (no prefetch).
 */
public final class Messaging implements AutoCloseable {
    /** Bytes a Baton consumer (results, coordinator, decisions, event streams) takes ahead of its work. */
    public static final int CONSUMER_WINDOW = 32 * 1024;

    private final BrokerSettings broker;
    private final ActiveMQConnectionFactory consumers;
    private final CachingConnectionFactory relay;
    private final ActiveMQConnectionFactory agents;
    private final Destinations destinations = new Destinations();

    private Messaging(BrokerSettings broker) {
        this.broker = broker;
        this.consumers = newConnectionFactory(broker);
        // A consumer buffers this much ahead of what it has applied, not Artemis' default 1 MiB (about a thousand
        // replies). A message that the broker hands back (a killed process, a rolled-back batch) comes back after its
        // redelivery delay, behind whatever the consumers buffered meanwhile: with 1 MiB buffers and a process
        // killed every minute, replies were seen waiting 6 minutes, delivered 10–12 times, never reached. With
        // CONSUMER_WINDOW a buffer holds a few dozen replies, seconds of work.
        consumers.setConsumerWindowSize(CONSUMER_WINDOW);
        this.relay = new CachingConnectionFactory(newConnectionFactory(broker));
        relay.setSessionCacheSize(32);
        // In-process agents hold one ticket at a time: without prefetch a consumer takes its next ticket only when
        // it asks, so max-consumers bounds the tickets in flight and priority order holds up to the last message.
        this.agents = newConnectionFactory(broker);
        agents.setConsumerWindowSize(0);
    }

    /** Connection factories to the broker {@code broker} describes, with Baton's own login; nothing connects yet. */
    public static Messaging to(BrokerSettings broker) {
        return new Messaging(broker);
    }

    /** The factory Baton's consumers (engine, API, event streams) connect with. */
    public ActiveMQConnectionFactory consumers() {
        return consumers;
    }

    /** The factory the outbox relay sends with: its sessions are cached, a send is one short transaction. */
    public CachingConnectionFactory relay() {
        return relay;
    }

    /** Baton's own queues and topics, reused by every send through these factories and components. */
    public Destinations destinations() {
        return destinations;
    }

    /** The JMS component over {@link #consumers()}. */
    public JmsComponent consumerComponent() {
        return component(consumers);
    }

    /** The JMS component over {@link #relay()}. */
    public JmsComponent relayComponent() {
        return component(relay);
    }

    /** The JMS component in-process agents consume with: no prefetch. */
    public JmsComponent agentComponent() {
        return component(agents);
    }

    /** A new connection factory with Baton's own login (for in-process tools such as the bench). */
    public ActiveMQConnectionFactory newConnectionFactory() {
        return newConnectionFactory(broker);
    }

    @Override
    public void close() {
        relay.destroy();
        consumers.close();
        agents.close();
    }

    private JmsComponent component(jakarta.jms.ConnectionFactory cf) {
        JmsComponent jms = JmsComponent.jmsComponent(cf);
        jms.setDestinationResolver(destinations);
        // A sender's Camel* properties never reach a route (reply consumers use the relay's component).
        jms.setHeaderFilterStrategy(new InboundHeaderFilter());
        return jms;
    }

    private static ActiveMQConnectionFactory newConnectionFactory(BrokerSettings b) {
        return new ActiveMQConnectionFactory(b.connectUrl(), blankToNull(b.user()), blankToNull(b.password()));
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
