package dev.baton.broker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.TestBaton;
import dev.baton.runtime.OutboxSends;
import dev.baton.ticket.Rows.Outgoing;
import jakarta.jms.Connection;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.activemq.artemis.api.core.Interceptor;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.protocol.core.impl.PacketImpl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jms.core.JmsTemplate;
import org.springframework.jms.support.destination.DestinationResolver;
import org.springframework.jms.support.destination.DynamicDestinationResolver;

/**
 * Outbox sends reuse the destination objects of Baton's own queues and topics, so a send does not first ask the
 * broker whether its queue exists (counted on the broker: the queue and address queries it answers); the broker's own
 * routing creates a queue deleted meanwhile, so nothing sent to a reused destination is lost.
 */
class DestinationsTest {
    private static final String QUEUE = "baton.agent.destinations-test";

    @TempDir
    Path root;

    @Test
    void sendsToBatonsOwnDestinationsAskTheBrokerOnceNotPerMessage() throws Exception {
        try (TestBaton baton = TestBaton.start(root, "agents: {}\n", Map.of());
                Connection c = baton.server.connectionFactory().createConnection()) {
            AtomicInteger queries = countQueries(baton);
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageConsumer queue = s.createConsumer(s.createQueue(QUEUE));
            c.start();

            queries.set(0);
            sends(baton, new DynamicDestinationResolver()).send(messages(20));
            int perSend = queries.get();
            assertThat(received(queue, 20))
                    .as("sent with a new destination each time")
                    .hasSize(20);

            queries.set(0);
            sends(baton, new Destinations()).send(messages(20));
            int reused = queries.get();
            assertThat(received(queue, 20)).as("sent with reused destinations").hasSize(20);

            assertThat(perSend)
                    .as("a new destination per message asks about its queue, its reply queue and the topic each time")
                    .isGreaterThanOrEqualTo(60);
            assertThat(reused)
                    .as("reused destinations are checked the first time only")
                    .isLessThanOrEqualTo(5);
        }
    }

    @Test
    void aQueueDeletedAfterItsDestinationWasCheckedIsCreatedAgainByTheBrokerAndNothingSentToItIsLost()
            throws Exception {
        try (TestBaton baton = TestBaton.start(root, "agents: {}\n", Map.of());
                Connection c = baton.server.connectionFactory().createConnection()) {
            AtomicInteger queries = countQueries(baton);
            OutboxSends sends = sends(baton, new Destinations());
            sends.send(messages(1)); // creates the queue
            baton.server.broker().server().destroyQueue(SimpleString.of(QUEUE), null, false);
            assertThat(baton.server.broker().server().locateQueue(SimpleString.of(QUEUE)))
                    .isNull();

            queries.set(0);
            sends.send(messages(3)); // to the destination object the client checked before the delete
            assertThat(queries.get())
                    .as("the client did not check the destinations again")
                    .isZero();

            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageConsumer queue = s.createConsumer(s.createQueue(QUEUE));
            c.start();
            assertThat(received(queue, 3))
                    .as("the three sent after the queue was deleted")
                    .hasSize(3);
        }
    }

    @Test
    void namesOutsideBatonsAddressesAreNeverHeld() throws Exception {
        try (TestBaton baton = TestBaton.start(root, "agents: {}\n", Map.of());
                Connection c = baton.server.connectionFactory().createConnection()) {
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            Destinations destinations = new Destinations();
            assertThat(destinations.resolveDestinationName(s, QUEUE, false))
                    .isSameAs(destinations.resolveDestinationName(s, QUEUE, false));
            assertThat(destinations.resolveDestinationName(s, "baton.events", true))
                    .isSameAs(destinations.resolveDestinationName(s, "baton.events", true));
            for (String other : List.of("client.replies", "baton.temp." + UUID.randomUUID())) {
                assertThat(destinations.resolveDestinationName(s, other, false))
                        .as(other)
                        .isNotSameAs(destinations.resolveDestinationName(s, other, false));
            }
        }
    }

    private static AtomicInteger countQueries(TestBaton baton) {
        AtomicInteger queries = new AtomicInteger();
        Interceptor counter = (packet, connection) -> {
            if (packet.getType() == PacketImpl.SESS_QUEUEQUERY || packet.getType() == PacketImpl.SESS_BINDINGQUERY) {
                queries.incrementAndGet();
            }
            return true;
        };
        baton.server.broker().server().getRemotingService().addIncomingInterceptor(counter);
        return queries;
    }

    private static OutboxSends sends(TestBaton baton, DestinationResolver destinations) {
        JmsTemplate jms = new JmsTemplate(baton.server.connectionFactory());
        return new OutboxSends(jms, Clock.systemUTC(), Runnable::run, destinations);
    }

    /** A ticket (its queue and reply queue) and an event each. */
    private static List<Outgoing> messages(int n) {
        List<Outgoing> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new Outgoing(
                    UUID.randomUUID().toString(), "queue:" + QUEUE, "ticket " + i, "t" + i, "baton.results", 4, 0, 0));
            out.add(new Outgoing(
                    UUID.randomUUID().toString(), "topic:baton.events", "event " + i, null, null, 4, 0, 0));
        }
        return out;
    }

    private static List<String> received(MessageConsumer queue, int n) throws Exception {
        List<String> got = new ArrayList<>();
        for (TextMessage m; got.size() < n && (m = (TextMessage) queue.receive(5000)) != null; ) {
            assertThat(((jakarta.jms.Queue) m.getJMSReplyTo()).getQueueName()).isEqualTo("baton.results");
            got.add(m.getText());
        }
        return got;
    }
}
