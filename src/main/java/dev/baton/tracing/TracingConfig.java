package dev.baton.tracing;

import dev.baton.config.SettingsException;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The OpenTelemetry settings, named as OpenTelemetry names them: {@code otel.*} keys in
 * {@code config/application.properties}, overridden by {@code OTEL_*} environment variables, overridden by
 * {@code otel.*} system properties. Tracing is on only when an OTLP endpoint or a traces exporter is set.
 */
final class TracingConfig {
    static final String ENDPOINT = "otel.exporter.otlp.endpoint";
    static final String TRACES_ENDPOINT = "otel.exporter.otlp.traces.endpoint";
    static final String EXPORTER = "otel.traces.exporter";
    private static final List<String> PROTOCOLS =
            List.of("otel.exporter.otlp.protocol", "otel.exporter.otlp.traces.protocol");

    private TracingConfig() {}

    /** Every {@code otel.*} setting from the file, the environment and the system properties, later ones winning. */
    static Map<String, String> read(Path configDir, Map<String, String> env) {
        Map<String, String> out = new LinkedHashMap<>();
        Path file = configDir.resolve("application.properties");
        if (Files.exists(file)) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            } catch (IOException e) {
                throw new SettingsException(List.of(file + ": cannot be read: " + e.getMessage()));
            }
            p.stringPropertyNames().stream()
                    .filter(k -> k.startsWith("otel."))
                    .forEach(k -> out.put(k, p.getProperty(k).trim()));
        }
        env.forEach((k, v) -> {
            if (k.startsWith("OTEL_")) {
                out.put(k.toLowerCase(Locale.ROOT).replace('_', '.'), v.trim());
            }
        });
        System.getProperties().stringPropertyNames().stream()
                .filter(k -> k.startsWith("otel."))
                .forEach(k -> out.put(k, System.getProperty(k).trim()));
        out.values().removeIf(String::isEmpty); // an empty key in the file is a setting left unset
        return out;
    }

    /** Whether spans are to be made at all: off unless an endpoint or an exporter is set, and the SDK not disabled. */
    static boolean on(Map<String, String> p) {
        if ("true".equalsIgnoreCase(p.get("otel.sdk.disabled"))) {
            return false;
        }
        if (p.containsKey(EXPORTER)) {
            return !"none".equals(p.get(EXPORTER));
        }
        return p.containsKey(ENDPOINT) || p.containsKey(TRACES_ENDPOINT);
    }

    /** The checks whose failure the SDK would only log, or say without naming the setting. */
    static void validate(Map<String, String> p) {
        List<String> errors = new ArrayList<>();
        for (String key : List.of(ENDPOINT, TRACES_ENDPOINT)) {
            String url = p.get(key);
            if (url != null && !httpUrl(url)) {
                errors.add(key + " '" + url + "' is not an http:// or https:// URL; give the collector's OTLP/HTTP "
                        + "address, e.g. http://127.0.0.1:4318");
            }
        }
        for (String key : PROTOCOLS) {
            String protocol = p.get(key);
            if (protocol != null && !protocol.equals("http/protobuf")) {
                errors.add(key + " '" + protocol + "' is not available; Baton sends spans over http/protobuf "
                        + "(the OTLP default, port 4318)");
            }
        }
        if (!errors.isEmpty()) {
            throw new SettingsException(errors);
        }
    }

    private static boolean httpUrl(String url) {
        try {
            URI u = new URI(url);
            return ("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null;
        } catch (URISyntaxException e) {
            return false;
        }
    }
}
