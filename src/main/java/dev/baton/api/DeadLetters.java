package dev.baton.api;

import static dev.baton.compile.Endpoints.DEAD_LETTERS;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.compile.Endpoints;
import dev.baton.pipeline.Json;
import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.QueueBrowser;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Shows the messages on the dead-letter queue without consuming them: a JMS {@link QueueBrowser} for the messages,
 * the broker's management address for the depth.
 *
 * <p>A message gets there two ways, and each leaves different traces. Baton parks a message it can never apply
 * (see {@code EngineRoutes}) as a new message carrying {@code BatonDeadLetter*} properties: reason, origin queue,
 * original message id, delivery count. Artemis moves a message whose deliveries failed max-delivery-attempts times,
 * keeping its id and timestamp and adding {@code _AMQ_ORIG_ADDRESS}, but no reason and no delivery count: for those
 * the count is taken from the address settings of the original address as the broker has them now.
 */
public final class DeadLetters {
    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;
    static final int MAX_BODY_BYTES = 4096;
    /** Counting by browsing (when management is refused) stops here; past it the depth is left out. */
    private static final int MAX_COUNTED = 10_000;

    private static final Duration MANAGEMENT_TIMEOUT = Duration.ofSeconds(2);

    private final ConnectionFactory connections;

    /** @param connections the factory Baton's Camel consumers use */
    public DeadLetters(ConnectionFactory connections) {
        this.connections = connections;
    }

    /**
     * Up to {@code limit} messages, oldest first: {@code {"depth", "count", "items": [...]}}. {@code depth} is the
     * number of messages on the queue, left out when it cannot be had cheaply.
     */
    public ObjectNode browse(int limit) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw Problem.badRequest("limit must be from 1 to " + MAX_LIMIT, List.of());
        }
        try (Connection c = connections.createConnection()) {
            c.start();
            Session session = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            BrokerManagement management = new BrokerManagement(session, MANAGEMENT_TIMEOUT);
            Map<String, Optional<Integer>> maxAttempts = new HashMap<>();
            ArrayNode items = Json.MAPPER.createArrayNode();
            OptionalLong counted;
            try (QueueBrowser browser = session.createBrowser(session.createQueue(DEAD_LETTERS))) {
                Enumeration<?> messages = browser.getEnumeration();
                while (items.size() < limit && messages.hasMoreElements()) {
                    items.add(item(
                            (Message) messages.nextElement(),
                            address -> maxAttempts.computeIfAbsent(address, a -> maxDeliveryAttempts(management, a))));
                }
                counted = depth(management, messages, items.size());
            }
            ObjectNode out = Json.object();
            counted.ifPresent(d -> out.put("depth", d));
            out.put("count", items.size());
            out.set("items", items);
            return out;
        } catch (JMSException e) {
            throw new Problem(
                    503, "Service Unavailable", "cannot browse " + DEAD_LETTERS + ": " + e.getMessage(), List.of());
        }
    }

    /** From management; failing that, by browsing on from where the items stopped, up to a bound. */
    private static OptionalLong depth(BrokerManagement management, Enumeration<?> rest, int seen) {
        Optional<Object> count = management.attribute(Endpoints.MANAGED_QUEUE_PREFIX + DEAD_LETTERS, "messageCount");
        if (count.isPresent() && count.get() instanceof Number n) {
            return OptionalLong.of(n.longValue());
        }
        long n = seen;
        while (n < MAX_COUNTED && rest.hasMoreElements()) {
            rest.nextElement();
            n++;
        }
        return rest.hasMoreElements() ? OptionalLong.empty() : OptionalLong.of(n);
    }

    private static Optional<Integer> maxDeliveryAttempts(BrokerManagement management, String address) {
        return management
                .invoke(Endpoints.MANAGED_BROKER, "getAddressSettingsAsJSON", address)
                .map(json -> Json.parse(json.toString()).path("maxDeliveryAttempts"))
                .filter(JsonNode::canConvertToInt)
                .map(JsonNode::asInt)
                .filter(n -> n > 0);
    }

    private interface MaxAttempts {
        Optional<Integer> of(String address);
    }

    private static ObjectNode item(Message m, MaxAttempts maxAttempts) throws JMSException {
        ObjectNode item = Json.object();
        item.put("messageId", m.getJMSMessageID());
        String reason = m.getStringProperty(Endpoints.HEADER_DEAD_LETTER_REASON);
        String brokerOrigin = m.getStringProperty(Endpoints.HEADER_ORIGINAL_ADDRESS);
        if (reason != null) {
            item.put("deadLetteredBy", "baton");
            item.put("originalMessageId", m.getStringProperty(Endpoints.HEADER_DEAD_LETTER_MESSAGE_ID));
            item.put("originalAddress", m.getStringProperty(Endpoints.HEADER_DEAD_LETTER_ORIGIN));
            item.put("reason", reason);
            if (m.propertyExists(Endpoints.HEADER_DEAD_LETTER_DELIVERY_COUNT)) {
                item.put("deliveryCount", m.getIntProperty(Endpoints.HEADER_DEAD_LETTER_DELIVERY_COUNT));
            }
        } else if (brokerOrigin != null) {
            item.put("deadLetteredBy", "broker");
            item.put("originalMessageId", m.getJMSMessageID()); // Artemis moves a copy that keeps the id
            item.put("originalAddress", brokerOrigin);
            Optional<Integer> attempts = maxAttempts.of(brokerOrigin);
            item.put(
                    "reason",
                    attempts.map(n -> "delivery failed " + n + " times")
                            .orElse("delivery failed max-delivery-attempts times, or moved by an operator"));
            attempts.ifPresent(n -> item.put("deliveryCount", n));
        } else {
            item.putNull("deadLetteredBy");
            item.put("originalMessageId", m.getJMSMessageID());
            item.putNull("originalAddress");
            item.put("reason", "sent to " + DEAD_LETTERS + " directly");
        }
        item.put("correlationId", m.getJMSCorrelationID());
        item.put(
                "timestamp",
                m.getJMSTimestamp() > 0
                        ? Instant.ofEpochMilli(m.getJMSTimestamp()).toString()
                        : null);
        body(m, item);
        return item;
    }

    /** Text as is, bytes as UTF-8; either cut to {@link #MAX_BODY_BYTES} of UTF-8. Other kinds show no body. */
    private static void body(Message m, ObjectNode item) throws JMSException {
        String text = null;
        boolean truncated = false;
        if (m instanceof TextMessage t && t.getText() != null) {
            byte[] utf8 = t.getText().getBytes(StandardCharsets.UTF_8);
            truncated = utf8.length > MAX_BODY_BYTES;
            text = truncated ? utf8Prefix(utf8, MAX_BODY_BYTES) : t.getText();
        } else if (m instanceof BytesMessage b) {
            byte[] head = new byte[(int) Math.min(b.getBodyLength(), MAX_BODY_BYTES)];
            b.readBytes(head);
            truncated = b.getBodyLength() > MAX_BODY_BYTES;
            text = utf8Prefix(head, head.length);
        }
        item.put("body", text);
        item.put("truncated", truncated);
    }

    /** The longest text whose UTF-8 fits in {@code max} bytes: a character cut in two is dropped, not mangled. */
    static String utf8Prefix(byte[] utf8, int max) {
        var decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        ByteBuffer in = ByteBuffer.wrap(utf8, 0, Math.min(max, utf8.length));
        CharBuffer out = CharBuffer.allocate(in.remaining());
        decoder.decode(in, out, false); // endOfInput=false: an incomplete last character stays unread
        out.flip();
        return out.toString();
    }
}
