package dev.baton.ticket;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * The large params of runs, parsed once: a run's params never change after its row is inserted, so a kept entry is
 * never stale, in this process or beside others. Without it every transition of a run would read and parse them again
 * (a {@code for_each} over a 10,000-item list in its params: 49 KB per item, quadratic in the items).
 */
final class RunParams {
    /** Params shorter than this (in characters) are read with the row: parsing them costs less than keeping them. */
    static final int WORTH_KEEPING = 2048;
    /**
     * The most characters of params text kept (Caffeine drops the least used first, by frequency and recency). Parsed,
     * a character can take some 20 bytes of heap (a list of small objects): 1 M characters is about 20 MB at most.
     */
    static final long MAX_CHARS = 1L << 20;

    private final Cache<String, Kept> kept = Caffeine.newBuilder()
            .maximumWeight(MAX_CHARS)
            .weigher((String id, Kept k) -> k.chars())
            .executor(Runnable::run) // its upkeep on the caller's thread: no pool of its own
            .build();

    private record Kept(ObjectNode params, int chars) {}

    /** A copy of the run's params when they are kept (callers may change their copy), else null. */
    ObjectNode known(String runId) {
        Kept k = kept.getIfPresent(runId);
        return k == null ? null : k.params().deepCopy();
    }

    /** Whether the run's params are kept (without copying them). */
    boolean keeps(String runId) {
        return kept.getIfPresent(runId) != null;
    }

    /** Keeps a copy of the params read from the run's row when they are worth keeping. */
    void read(String runId, String text, ObjectNode params) {
        if (text.length() >= WORTH_KEEPING) {
            kept.put(runId, new Kept(params.deepCopy(), text.length()));
        }
    }
}
