package dev.baton.runtime;

import dev.baton.ticket.StoreException;
import java.sql.SQLException;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;

/**
 * Calls a run's compiled routes for one event: synchronously, on the consumer's thread, inside the event's
 * database transaction. A route that fails fails the event, which then rolls back as a whole.
 */
// try-with-resources whose resource is never read: the entered step is current for the block it encloses.
@SuppressWarnings("try")
final class RouteCalls {
    private final ProducerTemplate template;

    RouteCalls(ProducerTemplate template) {
        this.template = template;
    }

    /** Calls what the step has queued, in order, until nothing is left (a call may queue more). */
    void drain(Step s) {
        try (Step.Entered entered = s.enter()) {
            Step.Call call;
            while ((call = s.later.poll()) != null) {
                send(s, call.uri(), call.body());
            }
        }
    }

    /** Calls one route and answers its reply body, then what it queued. */
    Object request(Step s, String uri, Object body) {
        Object answer;
        try (Step.Entered entered = s.enter()) {
            answer = send(s, uri, body).getMessage().getBody();
        }
        drain(s);
        return answer;
    }

    private Exchange send(Step s, String uri, Object body) {
        Exchange ex = template.send(uri, e -> e.getMessage().setBody(body));
        Exception e = ex.getException();
        if (s.failure != null) {
            throw s.failure;
        }
        if (e instanceof RuntimeException r) {
            throw r;
        }
        if (e instanceof SQLException q) {
            throw new StoreException(q);
        }
        if (e != null) {
            throw new IllegalStateException("route " + uri + " failed: " + e.getMessage(), e);
        }
        return ex;
    }
}
