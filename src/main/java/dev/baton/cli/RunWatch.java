package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** Polls a run until it reaches a terminal status or the deadline passes (a client-side wait, not engine state). */
final class RunWatch {
    static final Set<String> TERMINAL = Set.of("SUCCEEDED", "FAILED", "COMPENSATED", "CANCELLED");
    static final long DEFAULT_INTERVAL_MILLIS = 200;

    private RunWatch() {}

    static JsonNode await(Supplier<JsonNode> fetch, long deadlineMillis) {
        return follow(fetch, DEFAULT_INTERVAL_MILLIS, deadlineMillis, run -> {});
    }

    /**
     * Fetches the run every {@code intervalMillis} and hands each state to {@code each}, the last one included,
     * until it ends or the deadline ({@code Long.MAX_VALUE}: none) passes; answers the last state.
     */
    static JsonNode follow(
            Supplier<JsonNode> fetch, long intervalMillis, long deadlineMillis, Consumer<JsonNode> each) {
        JsonNode run = fetch.get();
        each.accept(run);
        while (!ended(run) && System.currentTimeMillis() < deadlineMillis) {
            LockSupport.parkNanos(intervalMillis * 1_000_000L);
            run = fetch.get();
            each.accept(run);
        }
        return run;
    }

    static boolean ended(JsonNode run) {
        return TERMINAL.contains(run.path("status").asText());
    }
}
