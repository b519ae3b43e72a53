package dev.baton.agent.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.pipeline.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The wire contract: each record writes the bytes Baton wrote before the records existed (built here field by field,
 * as the old code did), reads what agents in any language send, and is the only place the field names are written.
 */
class ProtocolTest {
    private static final ObjectNode INPUT = (ObjectNode) Json.parse("{\"text\": \"héllo\", \"n\": [1, 2]}");
    private static final ObjectNode PARAMS = (ObjectNode) Json.parse("{\"tone\": \"dry\"}");

    @Test
    void aTicketOutsideAForEachAndALoopIsWrittenByteForByteAsBefore() {
        Ticket t = new Ticket(
                "t-1",
                "r-1",
                "p",
                "review",
                null,
                null,
                "review",
                Ticket.Purpose.WORK,
                1,
                "writer",
                INPUT,
                PARAMS,
                null,
                null,
                null);
        ObjectNode old = Json.object()
                .put("ticketId", "t-1")
                .put("runId", "r-1")
                .put("pipeline", "p")
                .put("stage", "review");
        old.putNull("item");
        old.put("label", "review").put("purpose", "work").put("attempt", 1).put("agent", "writer");
        old.set("input", INPUT);
        old.set("params", PARAMS);
        old.put("deadline", (String) null).put("expiresAt", (String) null);

        assertThat(t.toJson()).isEqualTo(Json.write(old));
    }

    @Test
    void aCompensatingTicketOfAnItemInALoopWithDeadlinesIsWrittenByteForByteAsBefore() {
        Ticket t = new Ticket(
                "t-2",
                "r-1",
                "p",
                "each",
                3,
                2,
                "each[3]",
                Ticket.Purpose.COMPENSATE,
                4,
                "writer",
                null,
                PARAMS,
                "2026-12-07T01:00:00Z",
                "2026-12-07T02:00:00.123Z",
                null);
        ObjectNode old = Json.object()
                .put("ticketId", "t-2")
                .put("runId", "r-1")
                .put("pipeline", "p")
                .put("stage", "each")
                .put("item", 3)
                .put("iteration", 2)
                .put("label", "each[3]")
                .put("purpose", "compensate")
                .put("attempt", 4)
                .put("agent", "writer");
        old.set("input", null);
        old.set("params", PARAMS);
        old.put("deadline", "2026-12-07T01:00:00Z").put("expiresAt", "2026-12-07T02:00:00.123Z");

        assertThat(t.toJson()).isEqualTo(Json.write(old));
        assertThat(Ticket.parse(t.toJson())).isEqualTo(t);
    }

    @Test
    void aTracedTicketCarriesItsTraceparentLastAndReadsItBack() {
        String traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        Ticket t = new Ticket(
                "t-1",
                "r-1",
                "p",
                "review",
                null,
                null,
                "review",
                Ticket.Purpose.WORK,
                1,
                "writer",
                INPUT,
                PARAMS,
                null,
                null,
                traceparent);

        assertThat(Json.parse(t.toJson()).path("traceparent").asText()).isEqualTo(traceparent);
        assertThat(t.toJson()).endsWith("\"expiresAt\":null,\"traceparent\":\"" + traceparent + "\"}");
        assertThat(Ticket.parse(t.toJson()).traceparent()).isEqualTo(traceparent);
    }

    @Test
    void aTicketReaderIgnoresFieldsItDoesNotKnowAndRefusesWhatIsNotATicket() {
        Ticket t = Ticket.parse("{\"ticketId\": \"t-1\", \"attempt\": 2, \"purpose\": \"work\", \"future\": true}");
        assertThat(t.ticketId()).isEqualTo("t-1");
        assertThat(t.attempt()).isEqualTo(2);
        assertThat(t.input().isNull()).isTrue();
        Ticket free = Ticket.parse("{\"ticketId\": \"t-2\", \"attempt\": 1, \"input\": {\"a\": [1, 2.5]},"
                + " \"params\": null, \"label\": \"x\"}");
        assertThat(free.input()).isEqualTo(Json.parse("{\"a\": [1, 2.5]}"));
        assertThat(free.params().isNull()).isTrue();
        assertThat(free.label()).isEqualTo("x");
        assertThatThrownBy(() -> Ticket.parse("[1]"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a ticket must be a JSON object");
    }

    @Test
    void repliesAreWrittenWithTheFieldsTheyCarryOnly() {
        Ticket t = Ticket.parse("{\"ticketId\": \"t-1\", \"attempt\": 2}");
        assertThat(Reply.succeeded(t, INPUT).withInstance("1@h").toJson())
                .isEqualTo("{\"ticketId\":\"t-1\",\"attempt\":2,\"status\":\"succeeded\",\"output\":"
                        + Json.write(INPUT) + ",\"instance\":\"1@h\"}");
        assertThat(Reply.succeeded(t, null).toJson())
                .isEqualTo("{\"ticketId\":\"t-1\",\"attempt\":2,\"status\":\"succeeded\",\"output\":null}");
        assertThat(Reply.failed(t, "no", false)
                        .withUsage(new Usage(3L, null, 3L))
                        .withToolCalls(List.of(Json.parse("{\"tool\":\"x\",\"output\":1}")))
                        .toJson())
                .isEqualTo("{\"ticketId\":\"t-1\",\"attempt\":2,\"status\":\"failed\",\"error\":{\"message\":\"no\","
                        + "\"retryable\":false},\"usage\":{\"promptTokens\":3,\"totalTokens\":3},"
                        + "\"toolCalls\":[{\"tool\":\"x\",\"output\":1}]}");
        assertThat(Reply.progress(t, 0, "started").toJson())
                .isEqualTo(
                        "{\"ticketId\":\"t-1\",\"attempt\":2,\"status\":\"progress\",\"percent\":0,\"message\":\"started\"}");
    }

    @Test
    void aReplyIsReadAsAgentsInAnyLanguageWriteIt() {
        Reply r = Reply.read(
                Json.parse(
                        "{\"attempt\": 1, \"status\": \"FAILED\", \"error\": \"boom\", "
                                + "\"usage\": {\"promptTokens\": -1}, \"toolCalls\": [1, {\"tool\": \"t\"}], \"instance\": \" i \"}"),
                "t-9");
        assertThat(r.ticketId()).isEqualTo("t-9");
        assertThat(r.status()).isEqualTo(Reply.Status.FAILED);
        assertThat(r.error()).isEqualTo(new Reply.Failure("boom", true));
        assertThat(r.usage()).isNull();
        assertThat(r.toolCalls()).containsExactly(Json.parse("{\"tool\": \"t\"}"));
        assertThat(r.instance()).isEqualTo("i");
        Reply ok = Reply.read(
                Json.parse(Reply.succeeded(Ticket.parse("{\"ticketId\": \"t-1\", \"attempt\": 3}"), INPUT)
                        .withUsage(new Usage(1L, 2L, 3L))
                        .toJson()),
                null);
        assertThat(ok.output()).isEqualTo(INPUT);
        assertThat(ok.usage()).isEqualTo(new Usage(1L, 2L, 3L));
        assertThat(ok.error()).isNull();
        assertThatThrownBy(
                        () -> Reply.read(Json.parse("{\"ticketId\": \"a\", \"attempt\": 1, \"status\": \"ok\"}"), null))
                .hasMessage("reply status must be succeeded, failed or progress, not 'ok'");
        assertThatThrownBy(() -> Reply.read(Json.parse("{\"ticketId\": \"a\", \"attempt\": 1}"), "b"))
                .hasMessage("reply names ticket a but its JMSCorrelationID is b");
    }

    @Test
    void aCancellationIsWrittenByteForByteAsBefore() {
        String old = Json.write(Json.object()
                .put("type", "cancel")
                .put("ticketId", "t-1")
                .put("attempt", 2)
                .put("runId", "r-1")
                .put("stage", "s")
                .put("agent", "a")
                .put("reason", "run cancelled"));
        assertThat(Control.cancel("t-1", 2, "r-1", "s", "a", "run cancelled").toJson())
                .isEqualTo(old);
    }

    @Test
    void aHeartbeatIsWrittenByteForByteAsBeforeAndReadLeniently() {
        Instant at = Instant.parse("2026-12-07T01:02:03.456Z");
        String old = Json.write(Json.object()
                .put("type", "heartbeat")
                .put("agent", "a")
                .put("instance", "1@h")
                .put("at", at.toString()));
        assertThat(Heartbeat.of("a", "1@h", at).toJson()).isEqualTo(old);

        Heartbeat hb = Heartbeat.read(
                Json.parse("{\"agent\": \" a \", \"instance\": \"\", \"at\": \"yesterday\", "
                        + "\"inFlight\": [\"t-1\", 2, \"t-2\", \"t-3\"]}"),
                2);
        assertThat(hb.type()).isEqualTo(Heartbeat.TYPE);
        assertThat(hb.agent()).isEqualTo("a");
        assertThat(hb.instance()).isNull();
        assertThat(hb.sentAt()).isNull();
        assertThat(hb.inFlight()).containsExactly("t-1", "t-2");
    }

    /** Field names of the protocol that no built-in agent or the reply reader may spell out for themselves. */
    @Test
    void noAgentOutsideThisPackageWritesTheProtocolsFieldNames() throws IOException {
        List<String> names = List.of(
                "\"ticketId\"",
                "\"attempt\"",
                "\"status\"",
                "\"toolCalls\"",
                "\"inFlight\"",
                "\"heartbeat\"",
                "\"promptTokens\"");
        List<Path> files = new ArrayList<>();
        try (Stream<Path> agent = Files.list(Path.of("src/main/java/dev/baton/agent"))) {
            agent.filter(p -> p.toString().endsWith(".java")).forEach(files::add);
        }
        files.add(Path.of("src/main/java/dev/baton/runtime/AgentReply.java"));
        List<String> hits = new ArrayList<>();
        for (Path f : files) {
            for (String line : Files.readAllLines(f)) {
                for (String n : names) {
                    if (line.contains(n)) hits.add(f.getFileName() + ": " + line.trim());
                }
            }
        }
        assertThat(hits).isEmpty();
    }
}
