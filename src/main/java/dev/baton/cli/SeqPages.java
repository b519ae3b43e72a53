package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.baton.pipeline.Json;

/**
 * Reads a run's history or events whole, a bounded page at a time ({@code ?after=SEQ&limit=N}): the server answers
 * at most a page per request, so a big run's thousands of transitions take several requests, never one huge answer.
 */
final class SeqPages {
    static final int PAGE = 1000;

    private SeqPages() {}

    /** Every entry of {@code path} (a run's {@code /history} or {@code /events}), oldest first. */
    static ArrayNode all(BatonClient http, String path) {
        ArrayNode all = Json.MAPPER.createArrayNode();
        int after = -1;
        while (true) {
            JsonNode page = http.get(path + "?limit=" + PAGE + (after < 0 ? "" : "&after=" + after));
            page.forEach(all::add);
            if (page.size() < PAGE) {
                return all;
            }
            after = page.get(page.size() - 1).path("seq").asInt();
        }
    }
}
