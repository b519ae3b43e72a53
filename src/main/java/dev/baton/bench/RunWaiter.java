package dev.baton.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.BatonServer;
import dev.baton.pipeline.Json;
import jakarta.jms.Connection;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Learns that runs ended from the run events on {@code baton.events}, instead of polling the database. */
final class RunWaiter implements AutoCloseable {
    /** How a run's own events (not its stages' or tickets') are written: Baton's compact JSON. */
    private static final String RUN_EVENT = "\"type\":\"run\"";

    private final Connection connection;
    private final Map<String, java.util.function.Consumer<Boolean>> waiting = new ConcurrentHashMap<>();
    private final Map<String, Boolean> early = new ConcurrentHashMap<>();

    RunWaiter(BatonServer server) throws Exception {
        connection = server.connectionFactory().createConnection();
        Session s = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        s.createConsumer(s.createTopic(dev.baton.compile.Endpoints.EVENTS)).setMessageListener(m -> {
            try {
                String text = ((TextMessage) m).getText();
                if (!text.contains(RUN_EVENT)) {
                    return; // a stage's or a ticket's: most events, and not worth parsing in the measured JVM
                }
                JsonNode e = Json.parse(text);
                String status = e.path("status").asText();
                if (e.path("type").asText().equals("run")
                        && (status.equals("SUCCEEDED")
                                || status.equals("FAILED")
                                || status.equals("COMPENSATED")
                                || status.equals("CANCELLED"))) {
                    ended(e.path("runId").asText(), status.equals("SUCCEEDED"));
                }
            } catch (Exception ex) {
                throw new IllegalStateException(ex);
            }
        });
        connection.start();
    }

    void onEnd(String runId, java.util.function.Consumer<Boolean> then) {
        waiting.put(runId, then);
        Boolean ok = early.remove(runId);
        if (ok != null && waiting.remove(runId) != null) {
            then.accept(ok);
        }
    }

    private void ended(String runId, boolean ok) {
        var then = waiting.remove(runId);
        if (then != null) {
            then.accept(ok);
        } else {
            early.put(runId, ok);
            var late = waiting.remove(runId);
            if (late != null && early.remove(runId) != null) {
                late.accept(ok);
            }
        }
    }

    @Override
    public void close() throws jakarta.jms.JMSException {
        connection.close();
    }
}
