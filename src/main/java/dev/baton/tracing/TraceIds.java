package dev.baton.tracing;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The trace and span ids of a run's spans, derived from what identifies them: a run lives across many transactions
 * and processes, so no process can hold a span open from start to end, and whichever one ends a stage must name the
 * same parent as the one that dispatched its tickets. A run's trace id is its run id (a UUID) as 32 hex digits.
 */
public final class TraceIds {
    private static final Pattern UUID_HEX = Pattern.compile("[0-9a-f]{32}");
    private static final HexFormat HEX = HexFormat.of();

    private TraceIds() {}

    /** The run's trace id: its UUID's 32 hex digits, so a trace is found by the run id; else a hash of the id. */
    public static String trace(String runId) {
        String hex = runId.replace("-", "").toLowerCase(java.util.Locale.ROOT);
        if (UUID_HEX.matcher(hex).matches() && !hex.chars().allMatch(ch -> ch == '0')) {
            return hex;
        }
        return hash(16, "trace", runId);
    }

    /** The run's own span: the root of its trace. */
    public static String run(String runId) {
        return hash(8, "run", runId);
    }

    /**
     * One execution of a stage: a loop's inner stage runs once per iteration and a rerun starts a stage again, so
     * the iteration and the start time are part of what identifies it.
     */
    public static String stage(String runId, String stage, int iteration, Instant startedAt) {
        return hash(8, "stage", runId, stage, Integer.toString(iteration), startedAt.toString());
    }

    /** One attempt of one ticket: what the agent that takes the ticket works under. */
    public static String attempt(String ticketId, int attempt) {
        return hash(8, "ticket", ticketId, Integer.toString(attempt));
    }

    /**
     * The parent of a ticket attempt's span: its stage's span while the stage runs (it has a start time), else the
     * run's (a compensation, which undoes a stage that has ended).
     */
    public static String attemptParent(String runId, String stage, int iteration, Instant stageStartedAt) {
        return stageStartedAt == null ? run(runId) : stage(runId, stage, iteration, stageStartedAt);
    }

    /** A W3C {@code traceparent} naming a sampled span. */
    public static String traceparent(String traceId, String spanId) {
        return "00-" + traceId + "-" + spanId + "-01";
    }

    private static String hash(int bytes, String... parts) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
        sha.update("baton".getBytes(StandardCharsets.UTF_8));
        for (String p : parts) {
            sha.update((byte) 0); // no two lists of parts hash the same text
            sha.update(p.getBytes(StandardCharsets.UTF_8));
        }
        byte[] id = java.util.Arrays.copyOf(sha.digest(), bytes);
        boolean zero = true;
        for (byte b : id) {
            zero &= b == 0;
        }
        if (zero) {
            id[bytes - 1] = 1; // all zeros is the invalid id
        }
        return HEX.formatHex(id);
    }
}
