package dev.baton.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.compile.Endpoints;
import dev.baton.pipeline.Json;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.jms.JmsEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every consumer of Baton's own queues shares: reading a message's body and identity, and parking a message that
 * can never be applied on the dead-letter queue with the reason.
 */
final class InboundMessages {
    private static final Logger LOG = LoggerFactory.getLogger(InboundMessages.class);
    /** Exchange property: a reply's body as it was consumed, before it was read into an {@link AgentReply}. */
    static final String ORIGINAL_BODY = "BatonOriginalBody";

    private InboundMessages() {}

    /** Declares, for every route of {@code routes}, the error handling of Baton's consumers. */
    static void parkPoison(RouteBuilder routes) {
        routes.errorHandler(routes.defaultErrorHandler().logStackTrace(false).logExhaustedMessageHistory(false));
        // A message that can never be applied is parked on the DLQ with the reason, in the consumer's own JMS
        // transaction (atomic with the acknowledgement). Anything else (a database outage, a lock timeout) rolls
        // back and is redelivered without limit (broker.xml), so a transient failure never dead-letters a reply.
        routes.onException(PoisonMessageException.class)
                .handled(true)
                .process(ex -> {
                    Exception e = ex.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
                    if (ex.getProperty(ORIGINAL_BODY) != null) {
                        ex.getMessage().setBody(ex.getProperty(ORIGINAL_BODY));
                        ex.getMessage().removeHeader(Endpoints.HEADER_INBOX_ID);
                    }
                    LOG.warn("dead-lettering message {}: {}", messageId(ex), e.getMessage());
                    var msg = ex.getMessage();
                    msg.setHeader(Endpoints.HEADER_DEAD_LETTER_REASON, e.getMessage());
                    msg.setHeader(Endpoints.HEADER_DEAD_LETTER_ORIGIN, origin(ex));
                    // The producer sends a new message: without these, its original id and delivery count are lost.
                    msg.setHeader(Endpoints.HEADER_DEAD_LETTER_MESSAGE_ID, messageId(ex));
                    msg.setHeader(
                            Endpoints.HEADER_DEAD_LETTER_DELIVERY_COUNT,
                            msg.getHeader(Endpoints.HEADER_DELIVERY_COUNT, Integer.class));
                })
                .to(Endpoints.JMS + ":queue:" + Endpoints.DEAD_LETTERS);
    }

    /** The message's JSON body; a body that is not JSON can never be applied. */
    static JsonNode json(Exchange ex, String what) {
        try {
            return Json.parse(text(ex));
        } catch (IllegalArgumentException e) {
            throw new PoisonMessageException(what + " is not JSON: " + e.getMessage());
        }
    }

    /**
     * The body as text. A JMS TextMessage is text already; a BytesMessage (what Artemis makes of a STOMP SEND with
     * content-length, or an AMQP data section) must be valid UTF-8, the protocol's encoding, whatever the JVM's
     * default charset is, or the message can never be applied.
     */
    static String text(Exchange ex) {
        Object body = ex.getMessage().getBody();
        if (!(body instanceof byte[] bytes)) {
            return ex.getMessage().getBody(String.class);
        }
        try {
            return dev.baton.pipeline.StrictJson.utf8(bytes);
        } catch (IllegalArgumentException e) {
            throw new PoisonMessageException("the body is " + e.getMessage());
        }
    }

    /** The queue a message was consumed from, by name (the endpoint URI would carry every consumer option). */
    static String origin(Exchange ex) {
        return ex.getFromEndpoint() instanceof JmsEndpoint jms
                ? jms.getDestinationName()
                : ex.getFromEndpoint().getEndpointUri();
    }

    /**
     * The id the inbox deduplicates on: the JMS message id, which a redelivery keeps, or for a STOMP message the
     * broker's id of it (two identical progress reports are two messages: each renews the lease). A producer may
     * disable message ids (AMQP clients may send none); then the reply's own identity stands in for it.
     */
    static String messageId(Exchange ex) {
        String id = ex.getMessage().getHeader("JMSMessageID", String.class);
        if (id != null && !id.isBlank()) {
            return id;
        }
        String stomp = ex.getMessage().getHeader(Endpoints.HEADER_STOMP_MESSAGE_ID, String.class);
        if (stomp != null && !stomp.isBlank()) {
            return stomp;
        }
        String body;
        try {
            body = text(ex);
        } catch (PoisonMessageException e) { // bytes that are not UTF-8 still identify the message
            body = new String((byte[]) ex.getMessage().getBody(), java.nio.charset.StandardCharsets.ISO_8859_1);
        }
        return "sha256:" + dev.baton.pipeline.Json.sha256(body == null ? "" : body);
    }
}
