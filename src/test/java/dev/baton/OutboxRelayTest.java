package dev.baton;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.compile.Endpoints;
import dev.baton.runtime.OutboxRelay;
import dev.baton.ticket.Rows.Outgoing;
import jakarta.jms.Connection;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A transition's messages go to the broker in one JMS transaction (the relay route's sends join it); the broker ignores a whole transaction that holds
 * a message it has seen (its duplicate-detection id), so the relay then sends them one by one and none is lost.
 */
class OutboxRelayTest {
    @TempDir
    Path root;

    @Test
    void aBatchHoldingAMessageTheSweepAlreadySentStillDeliversTheOthersOnce() throws Exception {
        onRelayQueue((baton, queue) -> {
            OutboxRelay relay = baton.server.relay();
            Outgoing early = message("first");
            relay.send(List.of(early)); // as the sweep would have, before the transition's own send

            relay.send(List.of(early, message("second"), message("third")));

            List<String> got = new ArrayList<>();
            for (TextMessage m; (m = (TextMessage) queue.receive(2000)) != null; ) {
                got.add(m.getText());
            }
            assertThat(got).containsExactly("first", "second", "third");
        });
    }

    @Test
    void aBatchOfNewMessagesArrivesWhole() throws Exception {
        onRelayQueue((baton, queue) -> {
            baton.server.relay().send(List.of(message("a"), message("b")));

            assertThat(((TextMessage) queue.receive(5000)).getText()).isEqualTo("a");
            assertThat(((TextMessage) queue.receive(5000)).getText()).isEqualTo("b");
            assertThat(queue.receive(500)).isNull();
        });
    }

    @Test
    void theRelayRouteSendsInsideTheBatchTransaction() throws Exception {
        onRelayQueue((baton, queue) -> {
            var route = baton.server.camel().createProducerTemplate();
            assertThatThrownBy(() -> baton.server.relay().batch().inOneTransaction(() -> {
                        route.sendBody(Endpoints.RELAY, List.of(message("rolled back")));
                        throw new IllegalStateException("abandon the batch");
                    }))
                    .hasMessage("abandon the batch");
            assertThat(queue.receive(1000))
                    .as("a send that joined the rolled-back transaction")
                    .isNull();

            baton.server
                    .relay()
                    .batch()
                    .inOneTransaction(() -> route.sendBody(Endpoints.RELAY, List.of(message("committed"))));
            assertThat(((TextMessage) queue.receive(5000)).getText()).isEqualTo("committed");
        });
    }

    @Test
    void theRowsOfSentMessagesAreDeletedOnceTheyAreSentAndTogether() throws Exception {
        onRelayQueue((baton, queue) -> {
            List<Outgoing> transition = List.of(message("one"), message("two"), message("three"));
            new dev.baton.ticket.Tx(baton.server.dataSource()).run(c -> {
                var outbox = new dev.baton.ticket.OutboxStore();
                for (Outgoing m : transition) outbox.add(c, m, java.time.Instant.now());
                return null;
            });
            assertThat(outboxRows(baton))
                    .as("one row for the transition's three messages")
                    .isEqualTo(1);

            baton.server.relay().send(transition);
            for (String body : List.of("one", "two", "three")) {
                assertThat(((TextMessage) queue.receive(5000)).getText()).isEqualTo(body);
            }
            org.awaitility.Awaitility.await()
                    .atMost(java.time.Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(outboxRows(baton))
                            .as("the row, deleted by the delete timer")
                            .isZero());
            assertThat(baton.server.relay().deleteSent())
                    .as("nothing left to delete")
                    .isZero();
        });
    }

    @Test
    void aTicketKeptWithItsParamsByReferenceIsSweptWithTheRunsParams() throws Exception {
        onRelayQueue((baton, queue) -> {
            var params = (com.fasterxml.jackson.databind.node.ObjectNode)
                    dev.baton.pipeline.Json.parse(dev.baton.StageKindsCrashIT.items(500));
            var now = java.time.Instant.now();
            var runs = new dev.baton.ticket.RunStore();
            var ticket = new dev.baton.agent.protocol.Ticket(
                    "t-1",
                    "r-1",
                    "p",
                    "s",
                    3,
                    null,
                    "s",
                    null,
                    1,
                    "a",
                    params.get("items").get(3),
                    params,
                    null,
                    null,
                    null);
            String body = ticket.toJson();
            String purged = body.replace("\"r-1\"", "\"r-gone\"");
            // the marker's text where no ticket keeps its params by reference: sent exactly as written
            List<String> lookalikes = List.of(
                    "{\"id\":\"r-1\",\"params\":{},\"output\":{\"params\":\"baton:run.params\",\"runId\":\"r-1\"}}",
                    "{\"runId\":\"r-1\",\"params\":\"baton:run.params\"}",
                    "not JSON \"params\":\"baton:run.params\"");
            String stored = dev.baton.runtime.TicketDispatchAccess.stored(ticket, body);
            assertThat(stored)
                    .as("the ticket as its outbox row keeps it")
                    .contains("\"params\":\"" + dev.baton.ticket.OutboxStore.RUN_PARAMS + "\"")
                    .hasSizeLessThan(body.length() / 10);
            assertThat(dev.baton.runtime.TicketDispatchAccess.stored(ticket.with(ticket.input(), null), "{}"))
                    .as("a short ticket is kept as it is")
                    .isNull();
            new dev.baton.ticket.Tx(baton.server.dataSource()).run(c -> {
                runs.insertRun(c, dev.baton.ticket.TestRuns.running("r-1", params));
                var outbox = new dev.baton.ticket.OutboxStore();
                outbox.add(c, new Outgoing("m-1", "queue:test.relay", body, null, null, 4, 0, 0, stored), now);
                outbox.add(c, message("beside it"), now);
                outbox.add(
                        c,
                        new Outgoing(
                                "m-3",
                                "queue:test.relay",
                                purged,
                                null,
                                null,
                                4,
                                0,
                                0,
                                dev.baton.runtime.TicketDispatchAccess.stored(ticket, purged)
                                        .replace("\"r-1\"", "\"r-gone\"")),
                        now);
                for (String text : lookalikes) outbox.add(c, message(text), now);
                return null;
            });
            // one row holds the transaction's messages; its first is the ticket
            assertThat(dev.baton.pipeline.Json.parse(baton.query("SELECT body FROM outbox")
                                    .get(0)
                                    .get("body")
                                    .toString())
                            .get(0)
                            .path("body")
                            .asText())
                    .as("the ticket as the row keeps it, without the params the run's row holds")
                    .hasSizeLessThan(body.length() / 5);

            baton.server.relay().sweep(java.time.Duration.ZERO); // unless the sweep's timer got there first

            assertThat(dev.baton.pipeline.Json.parse(((TextMessage) queue.receive(5000)).getText()))
                    .isEqualTo(dev.baton.pipeline.Json.parse(body));
            assertThat(((TextMessage) queue.receive(5000)).getText()).isEqualTo("beside it");
            assertThat(dev.baton.pipeline.Json.parse(((TextMessage) queue.receive(5000)).getText())
                            .path("params")
                            .isNull())
                    .as("a run purged since has no params to give")
                    .isTrue();
            for (String text : lookalikes) {
                assertThat(((TextMessage) queue.receive(5000)).getText()).isEqualTo(text);
            }
        });
    }

    private static long outboxRows(TestBaton baton) throws Exception {
        return ((Number) baton.query("SELECT COUNT(*) AS n FROM outbox").get(0).get("n")).longValue();
    }

    private interface RelayCheck {
        void run(TestBaton baton, MessageConsumer queue) throws Exception;
    }

    /** Runs {@code check} on a started Baton, with a consumer of the queue the test messages go to. */
    private void onRelayQueue(RelayCheck check) throws Exception {
        try (TestBaton baton = TestBaton.start(root, "agents: {}\n", Map.of());
                Connection c = baton.server.connectionFactory().createConnection()) {
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageConsumer queue = s.createConsumer(s.createQueue("test.relay"));
            c.start();
            check.run(baton, queue);
        }
    }

    private static Outgoing message(String body) {
        return new Outgoing(UUID.randomUUID().toString(), "queue:test.relay", body, null, null, 4, 0, 0);
    }
}
