package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/** Polls a run until it reaches a terminal status or the deadline passes (a client-side wait, not engine state). */
final class RunWatch {
    static final Set<String> TERMINAL = Set.of("SUCCEEDED", "FAILED", "COMPENSATED", "CANCELLED");

    private RunWatch() {}

    static JsonNode await(Supplier<JsonNode> fetch, long deadlineMillis) {
        JsonNode run = fetch.get();
        while (!TERMINAL.contains(run.path("status").asText()) && System.currentTimeMillis() < deadlineMillis) {
            LockSupport.parkNanos(200_000_000L);
            run = fetch.get();
        }
        return run;
    }
}
