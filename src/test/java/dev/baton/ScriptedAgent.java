package dev.baton;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.pipeline.Json;
import jakarta.jms.Connection;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * An agent process's view of the broker for tests: a plain JMS consumer over TCP, logged in as the agent's own
 * broker user, on {@code baton.agent.<name>}
 * that answers each ticket with what a script returns ({@code status}, {@code output}, {@code error}), or not at
 * all when the script returns null. It records every ticket it received and every control message it was sent.
 */
public final class ScriptedAgent implements AutoCloseable {
    public final List<JsonNode> tickets = new CopyOnWriteArrayList<>();
    public final List<JsonNode> controls = new CopyOnWriteArrayList<>();
    private final Connection connection;

    private ScriptedAgent(Connection connection) {
        this.connection = connection;
    }

    public static ScriptedAgent start(TestBaton baton, String name, Function<JsonNode, ObjectNode> script)
            throws Exception {
        Connection c = baton.agentConnections(name).createConnection();
        ScriptedAgent agent = new ScriptedAgent(c);
        Session session = c.createSession(true, Session.SESSION_TRANSACTED);
        MessageConsumer consumer = session.createConsumer(session.createQueue("baton.agent." + name));
        MessageProducer producer = session.createProducer(session.createQueue("baton.results"));
        consumer.setMessageListener(m -> {
            try {
                JsonNode ticket = Json.parse(((TextMessage) m).getText());
                agent.tickets.add(ticket);
                ObjectNode reply = script.apply(ticket);
                if (reply != null) {
                    reply.put("ticketId", ticket.path("ticketId").asText())
                            .put("attempt", ticket.path("attempt").asInt());
                    TextMessage out = session.createTextMessage(Json.write(reply));
                    out.setJMSCorrelationID(ticket.path("ticketId").asText());
                    producer.send(out);
                }
                session.commit();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Session controlSession = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        controlSession
                .createConsumer(controlSession.createTopic("baton.control." + name))
                .setMessageListener(m -> {
                    try {
                        agent.controls.add(Json.parse(((TextMessage) m).getText()));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
        c.start();
        return agent;
    }

    public static ObjectNode succeed(JsonNode output) {
        ObjectNode r = Json.object().put("status", "succeeded");
        r.set("output", output);
        return r;
    }

    public static ObjectNode fail(String message, boolean retryable) {
        ObjectNode r = Json.object().put("status", "failed");
        r.putObject("error").put("message", message).put("retryable", retryable);
        return r;
    }

    @Override
    public void close() throws Exception {
        connection.close();
    }
}
