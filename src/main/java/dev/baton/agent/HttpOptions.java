package dev.baton.agent;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The options of an {@code http} agent: the ticket is POSTed to {@code url}.
 *
 * @param headers request headers; a value may take parts from the environment as {@code ${env:NAME}}
 * @param timeout connect and read timeout of one call
 * @param concurrency consumers on the agent's queue
 */
public record HttpOptions(URI url, Map<String, String> headers, Duration timeout, int concurrency) {
    static final Set<String> OPTIONS = Set.of("url", "headers", "timeout", "concurrency");
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    /** Set by the agent itself; a registry entry may not override them. */
    private static final Set<String> RESERVED =
            Set.of("content-type", "content-length", "host", "connection", "expect", "upgrade");

    /** Reads and checks the entry's options, adding every problem to the entry's errors. */
    static HttpOptions read(RegistryEntry e, Set<String> common) {
        e.onlyOptions("http", common, OPTIONS);
        URI url = e.httpUrl("url", "http");
        Map<String, String> headers = new LinkedHashMap<>();
        JsonNode h = e.node.get("headers");
        if (h != null && !h.isNull()) {
            if (!h.isObject()) {
                e.error("headers", "headers must be a mapping of header name to value");
            } else {
                h.properties().forEach(f -> {
                    String field = "headers." + f.getKey();
                    if (RESERVED.contains(f.getKey().toLowerCase(java.util.Locale.ROOT))) {
                        e.error(field, "header '" + f.getKey() + "' is set by Baton and may not be configured");
                    } else if (!f.getValue().isValueNode() || f.getValue().isNull()) {
                        e.error(field, "header '" + f.getKey() + "' must have a text value");
                    } else {
                        String problem = EnvValues.check(f.getValue().asText());
                        if (problem != null) {
                            e.error(field, "header '" + f.getKey() + "': " + problem);
                        } else {
                            headers.put(f.getKey(), f.getValue().asText());
                        }
                    }
                });
            }
        }
        Integer concurrency = e.integer("concurrency", 1, 1000);
        return new HttpOptions(
                url,
                Map.copyOf(headers),
                e.duration("timeout", DEFAULT_TIMEOUT),
                concurrency == null ? 4 : concurrency);
    }
}
