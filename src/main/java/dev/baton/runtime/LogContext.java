package dev.baton.runtime;

import org.slf4j.MDC;

/**
 * Puts a run id or ticket id into the logging context (SLF4J's MDC, log4j2's ThreadContext) for a block, and puts
 * back what was there before: {@code config/log4j2.xml} prints them as {@code [run ...]} and {@code [ticket ...]}.
 */
public final class LogContext implements AutoCloseable {
    public static final String RUN_ID = "runId";
    public static final String TICKET_ID = "ticketId";

    private final String key;
    private final String previous;

    private LogContext(String key, String value) {
        this.key = key;
        this.previous = MDC.get(key);
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }

    public static LogContext run(String runId) {
        return new LogContext(RUN_ID, runId);
    }

    public static LogContext ticket(String ticketId) {
        return new LogContext(TICKET_ID, ticketId);
    }

    /** Sets the run id for the rest of the enclosing block (which restores it). */
    static void runIs(String runId) {
        MDC.put(RUN_ID, runId);
    }

    @Override
    public void close() {
        if (previous == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, previous);
        }
    }
}
