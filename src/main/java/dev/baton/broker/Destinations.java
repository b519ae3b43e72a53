package dev.baton.broker;

import jakarta.jms.Destination;
import jakarta.jms.JMSException;
import jakarta.jms.Session;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.activemq.artemis.jms.client.ActiveMQDestination;
import org.springframework.jms.support.destination.DestinationResolver;
import org.springframework.jms.support.destination.DynamicDestinationResolver;

/**
 * Baton's own queues and topics as destination objects that every send reuses. {@code Session.createQueue} and
 * {@code createTopic} ask the broker whether the destination exists, and the client asks again (address, then queue)
 * the first time a destination object is sent to: with a new object per send, a ticket cost four blocking round trips
 * to the broker before it left, an event two, a demo agent's reply three. A reused object is asked about once. Nothing
 * is lost by not asking: the broker routes each message itself, creating a queue an operator deleted meanwhile (Baton's
 * addresses auto-create) or, on a broker that does not auto-create, failing a persistent or transacted send (tickets,
 * replies, events); only a non-persistent heartbeat to an address that does not exist is then dropped where the check
 * threw. Names outside Baton's {@code baton.} addresses (a client's reply queue, a temporary queue) are resolved by the
 * session each time and never held.
 */
public final class Destinations implements DestinationResolver {
    private static final String OWN = "baton.";
    private static final String TEMPORARY = "baton.temp.";
    /** Baton's addresses are its fixed ones plus one queue and one control topic per agent: far below this. */
    private static final int MAX_HELD = 4096;

    private final ConcurrentHashMap<String, Destination> queues = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Destination> topics = new ConcurrentHashMap<>();
    private final DynamicDestinationResolver dynamic = new DynamicDestinationResolver();

    @Override
    public Destination resolveDestinationName(Session session, String name, boolean topic) throws JMSException {
        if (!name.startsWith(OWN) || name.startsWith(TEMPORARY)) {
            return dynamic.resolveDestinationName(session, name, topic);
        }
        ConcurrentHashMap<String, Destination> held = topic ? topics : queues;
        Destination d = held.get(name);
        if (d == null) {
            if (held.size() >= MAX_HELD) {
                held.clear();
            }
            d = held.computeIfAbsent(
                    name, n -> topic ? ActiveMQDestination.createTopic(n) : ActiveMQDestination.createQueue(n));
        }
        return d;
    }
}
