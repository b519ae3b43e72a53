package dev.baton.api;

import dev.baton.compile.Endpoints;
import dev.baton.pipeline.Json;
import dev.baton.runtime.AlreadySubmittedException;
import dev.baton.runtime.LogContext;
import dev.baton.runtime.RunEngine;
import dev.baton.ticket.ReplyStore.ReplyTo;
import jakarta.jms.Destination;
import jakarta.jms.JMSException;
import jakarta.jms.Queue;
import jakarta.jms.Topic;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.builder.RouteBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts runs from persistent messages on {@code baton.submit}, exactly as {@code POST /api/pipelines/{name}/runs}
 * does. The run's final result goes to the message's {@code JMSReplyTo} when it ends (see {@code RunReplies}); a
 * submission that cannot start a run is answered there at once with a problem body and a {@code BatonError}
 * property, or, with no {@code JMSReplyTo}, parked on the dead-letter queue with the reason. Either happens in the
 * consumer's JMS transaction, and a run is never half made: it is started in one database transaction or not at all.
 */
public final class JmsSubmitRoutes extends RouteBuilder {
    private static final Logger LOG = LoggerFactory.getLogger(JmsSubmitRoutes.class);
    /** Outbox columns: a reply address or correlation id longer than these could never be sent. */
    private static final int MAX_DESTINATION = 200;

    private static final int MAX_CORRELATION_ID = 100;

    private final RunService runs;
    private final int consumers;

    public JmsSubmitRoutes(RunService runs, int consumers) {
        this.runs = runs;
        this.consumers = consumers;
    }

    @Override
    public void configure() {
        errorHandler(defaultErrorHandler().logStackTrace(false).logExhaustedMessageHistory(false));
        // A database outage or any other unexpected failure rolls the JMS transaction back: the broker redelivers
        // the submission (max-delivery-attempts, then its dead-letter address).
        from(Endpoints.consumer(Endpoints.SUBMIT, consumers))
                .routeId(Endpoints.ROUTE_SUBMIT)
                .process(this::onSubmission)
                .choice()
                .when(header(Endpoints.HEADER_CAMEL_DESTINATION).isNotNull())
                .to(Endpoints.JMS + ":queue:" + Endpoints.SUBMIT)
                .when(header(Endpoints.HEADER_DEAD_LETTER_REASON).isNotNull())
                .to(Endpoints.JMS + ":queue:" + Endpoints.DEAD_LETTERS)
                .end();
    }

    @SuppressWarnings("try") // the LogContext resource puts the run id in the log lines its block writes
    private void onSubmission(Exchange ex) throws JMSException {
        Message in = ex.getMessage();
        Destination replyTo = in.getHeader("JMSReplyTo", Destination.class);
        String messageId = in.getHeader("JMSMessageID", String.class);
        String correlation = in.getHeader("JMSCorrelationID", String.class);
        if (correlation == null || correlation.isEmpty()) {
            correlation = messageId; // what JMS request/reply clients match on when they set none
        }
        String pipeline = in.getHeader(Endpoints.HEADER_SUBMIT_PIPELINE, String.class);
        try {
            if (pipeline == null || pipeline.isBlank()) {
                throw Problem.badRequest(
                        "the " + Endpoints.HEADER_SUBMIT_PIPELINE
                                + " property is missing: it names the pipeline to run",
                        List.of());
            }
            ReplyTo to = replyTo == null ? null : replyTo(replyTo, correlation);
            RunService.StartOutcome out = runs.start(
                    pipeline,
                    text(in),
                    in.getHeader(Endpoints.HEADER_SUBMIT_IDEMPOTENCY_KEY, String.class),
                    new RunEngine.Submission(messageId, to));
            String runId = out.run().path("id").asText();
            try (LogContext log = LogContext.run(runId)) {
                LOG.info(
                        "{} run of '{}' submitted over JMS (message {}){}",
                        out.replayed() ? "earlier" : "new",
                        pipeline,
                        messageId,
                        to == null ? "; no JMSReplyTo, so no result will be sent" : "");
            }
            in.removeHeaders("*");
            if (out.answerNow()) { // an idempotent replay of a run that has already ended
                answer(in, replyTo, correlation, Json.write(out.run()));
            }
        } catch (AlreadySubmittedException e) {
            LOG.debug("{}: redelivery ignored", e.getMessage());
            in.removeHeaders("*");
        } catch (Problem p) {
            refuse(in, replyTo, correlation, messageId, p);
        }
    }

    /** The body as text; a bytes body must be valid UTF-8 (a lenient decoder would replace what is not). */
    private static String text(Message in) {
        if (!(in.getBody() instanceof byte[] bytes)) {
            return in.getBody(String.class);
        }
        try {
            return dev.baton.pipeline.StrictJson.utf8(bytes);
        } catch (IllegalArgumentException e) {
            throw Problem.badRequest("the submission's body is " + e.getMessage(), List.of());
        }
    }

    /** Answers at once on the reply destination, or parks the submission with the reason when it has none. */
    private void refuse(Message in, Destination replyTo, String correlation, String messageId, Problem p) {
        LOG.warn("submission {} refused: {} {}", messageId, p.getMessage(), p.errors());
        if (replyTo == null) {
            Integer deliveries = in.getHeader(Endpoints.HEADER_DELIVERY_COUNT, Integer.class);
            in.setHeader(
                    Endpoints.HEADER_DEAD_LETTER_REASON,
                    p.getMessage() + (p.errors().isEmpty() ? "" : ": " + String.join("; ", p.errors())));
            in.setHeader(Endpoints.HEADER_DEAD_LETTER_ORIGIN, Endpoints.SUBMIT);
            in.setHeader(Endpoints.HEADER_DEAD_LETTER_MESSAGE_ID, messageId);
            in.setHeader(Endpoints.HEADER_DEAD_LETTER_DELIVERY_COUNT, deliveries);
            return;
        }
        in.removeHeaders("*");
        answer(in, replyTo, correlation, Json.write(p.toJson()));
        in.setHeader(Endpoints.HEADER_SUBMIT_ERROR, p.getMessage());
        in.setHeader(Endpoints.HEADER_SUBMIT_ERROR_STATUS, p.status());
    }

    private static void answer(Message in, Destination replyTo, String correlation, String body) {
        in.setHeader(Endpoints.HEADER_CAMEL_DESTINATION, replyTo);
        if (correlation != null) {
            in.setHeader("JMSCorrelationID", correlation);
        }
        in.setBody(body);
    }

    /** The reply address as the outbox will send to it later, checked to fit now. */
    private static ReplyTo replyTo(Destination d, String correlation) throws JMSException {
        String destination;
        if (d instanceof Queue q) {
            destination = Endpoints.queue(q.getQueueName());
        } else if (d instanceof Topic t) {
            destination = Endpoints.topic(t.getTopicName());
        } else {
            throw Problem.badRequest("JMSReplyTo must be a queue or a topic", List.of());
        }
        if (destination.length() > MAX_DESTINATION) {
            throw Problem.badRequest("JMSReplyTo is too long: at most " + MAX_DESTINATION + " characters", List.of());
        }
        if (correlation != null && correlation.length() > MAX_CORRELATION_ID) {
            throw Problem.badRequest(
                    "JMSCorrelationID is too long: at most " + MAX_CORRELATION_ID + " characters", List.of());
        }
        return new ReplyTo(destination, correlation);
    }
}
