package dev.baton.broker;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Marker;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.filter.AbstractFilter;
import org.slf4j.LoggerFactory;

/**
 * Turns the broker's WARN for each message its duplicate detection drops (AMQ222059, with a whole message dump) into
 * one INFO line per batch with a count, and the batch's first message at DEBUG. A drop is the normal end of a message
 * re-sent after a crash (Baton's outbox and agents send with duplicate-detection ids): it was delivered once already.
 * A context-wide Log4j filter, so it works whatever the logging configuration says about Artemis' loggers.
 */
public final class DroppedDuplicates extends AbstractFilter {
    /** The broker's message code for a dropped duplicate. */
    public static final String CODE = "AMQ222059";
    /** How long a batch collects drops before its line is written. */
    static final long BATCH_MILLIS = 10_000;

    private static final org.slf4j.Logger LOG = LoggerFactory.getLogger(DroppedDuplicates.class);
    private static final AtomicReference<DroppedDuplicates> INSTALLED = new AtomicReference<>();

    private final AtomicLong batch = new AtomicLong();
    private final AtomicLong total = new AtomicLong();
    private final AtomicReference<Object> first = new AtomicReference<>();

    private DroppedDuplicates() {
        super(Result.DENY, Result.NEUTRAL);
    }

    /**
     * Installs the filter once per JVM, when Log4j is the logging backend, with a daemon thread that writes each
     * batch's line; returns it, or null when logging goes elsewhere (then the broker's WARNs stay as they are).
     */
    public static DroppedDuplicates install() {
        DroppedDuplicates existing = INSTALLED.get();
        if (existing != null) {
            return existing;
        }
        if (!(LogManager.getContext(false) instanceof LoggerContext ctx)) {
            return null;
        }
        DroppedDuplicates filter = new DroppedDuplicates();
        if (!INSTALLED.compareAndSet(null, filter)) {
            return INSTALLED.get();
        }
        filter.start();
        ctx.getConfiguration().addFilter(filter);
        ctx.updateLoggers();
        ScheduledExecutorService flusher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "baton-broker-duplicates");
            t.setDaemon(true);
            return t;
        });
        flusher.scheduleWithFixedDelay(filter::flush, BATCH_MILLIS, BATCH_MILLIS, TimeUnit.MILLISECONDS);
        return filter;
    }

    /** Duplicates dropped since the filter was installed. */
    public long total() {
        return total.get();
    }

    /** Writes the line of the batch so far, if it dropped anything. */
    public void flush() {
        Object sample = first.getAndSet(null);
        long n = batch.getAndSet(0);
        if (n == 0) {
            return;
        }
        LOG.info(
                "the broker dropped {} duplicate message(s) (duplicate detection, {}): each was a copy re-sent "
                        + "after a crash or a reconnection of a message already delivered; {} since start",
                n,
                CODE,
                total.get());
        if (sample != null) {
            LOG.debug("first duplicate of the batch: {}", sample);
        }
    }

    private Result drop(String format, Object argument) {
        if (format == null || !format.startsWith(CODE)) {
            return Result.NEUTRAL;
        }
        batch.incrementAndGet();
        total.incrementAndGet();
        first.compareAndSet(null, argument == null ? "(no details)" : argument);
        return Result.DENY;
    }

    // SLF4J calls come in through these (Artemis logs the code in the format string, the message as its argument).

    @Override
    public Result filter(Logger logger, Level level, Marker marker, String msg, Object... params) {
        return drop(msg, params == null || params.length == 0 ? null : params[0]);
    }

    @Override
    public Result filter(Logger logger, Level level, Marker marker, String msg, Object p0) {
        return drop(msg, p0);
    }

    @Override
    public Result filter(LogEvent event) {
        String format = event.getMessage() == null ? null : event.getMessage().getFormattedMessage();
        return format != null && format.startsWith(CODE) ? Result.DENY : Result.NEUTRAL;
    }

    @Override
    public Result filter(
            Logger logger, Level level, Marker marker, org.apache.logging.log4j.message.Message msg, Throwable t) {
        String format = msg == null ? null : msg.getFormattedMessage();
        return format != null && format.startsWith(CODE) ? Result.DENY : Result.NEUTRAL;
    }

    @Override
    public String toString() {
        return "DroppedDuplicates";
    }
}
