package dev.baton.agent;

import java.net.URL;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The options of a {@code camel} agent: the endpoint the ticket's input is sent to, request/reply.
 *
 * @param uri a Camel endpoint URI such as {@code direct:score}, {@code language:simple:Hello ${body}} or
 *     {@code sql:select ...}
 * @param concurrency consumers on the agent's queue
 */
public record CamelOptions(String uri, int concurrency) {
    static final Set<String> OPTIONS = Set.of("uri", "concurrency");
    private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*");
    /** Where Camel's component resolver looks a scheme up; a scheme with no such file has no component. */
    private static final String COMPONENTS = "META-INF/services/org/apache/camel/component/";

    /** Reads and checks the entry's options, adding every problem to the entry's errors. */
    static CamelOptions read(RegistryEntry e, Set<String> common) {
        e.onlyOptions("camel", common, OPTIONS);
        String uri = e.requiredText("uri", "camel");
        if (uri != null) {
            String problem = problem(uri);
            if (problem != null) e.error("uri", problem);
        }
        Integer concurrency = e.integer("concurrency", 1, 1000);
        return new CamelOptions(uri, concurrency == null ? 4 : concurrency);
    }

    /** What is wrong with the URI's component, or null: checked on load, so a typo stops the start, not a ticket. */
    static String problem(String uri) {
        int colon = uri.indexOf(':');
        String scheme = colon < 0 ? uri : uri.substring(0, colon);
        if (colon < 0 || !SCHEME.matcher(scheme).matches()) {
            return "uri '" + uri + "' must start with a component name and ':', e.g. direct:score";
        }
        URL found = CamelOptions.class.getClassLoader().getResource(COMPONENTS + scheme);
        if (found == null) {
            return "uri '" + uri + "': no Camel component '" + scheme + "' is on the classpath";
        }
        return null;
    }
}
