package dev.baton.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The parts {@code GET /api/health} reports on (broker, database, configuration files), each UP, DEGRADED or DOWN
 * with the reason; the whole is the worst of them. Bound in Camel's registry as {@link #NAME}.
 */
public final class HealthParts {
    public static final String NAME = "batonHealthParts";

    /** One part's state; {@code reason} says what is wrong and what it means, null when UP. */
    public record Part(String status, String reason) {
        public static final Part UP = new Part("UP", null);
    }

    private final Map<String, Supplier<Part>> parts = new LinkedHashMap<>();

    /** Adds a part; its check must be quick and must not throw (a throw reports the part DOWN). */
    public HealthParts add(String name, Supplier<Part> check) {
        parts.put(name, check);
        return this;
    }

    /**
     * Fills {@code health} with {@code parts: {name: {status, reason}}} and {@code status}: DOWN if a part is down,
     * DEGRADED if one is degraded, otherwise UP. Returns the overall status.
     */
    public String report(ObjectNode health) {
        ObjectNode out = health.putObject("parts");
        String worst = "UP";
        for (var e : parts.entrySet()) {
            Part p;
            try {
                p = e.getValue().get();
            } catch (RuntimeException ex) {
                p = new Part("DOWN", "its check failed: " + ex.getClass().getSimpleName());
            }
            ObjectNode node = out.putObject(e.getKey()).put("status", p.status());
            if (p.reason() != null) node.put("reason", p.reason());
            if (p.status().equals("DOWN") || (p.status().equals("DEGRADED") && worst.equals("UP"))) {
                worst = p.status();
            }
        }
        health.put("status", worst);
        return worst;
    }

    /**
     * Baton's parts: the broker (embedded: whether it blocks producers; external: not checked from here), the
     * database, and the configuration files reloaded while Baton runs ({@code agents.yaml}, {@code security.yaml}).
     *
     * @param broker the embedded broker, or null for an external one
     * @param security null when the API runs open
     */
    public static HealthParts of(
            dev.baton.broker.EmbeddedBroker broker,
            javax.sql.DataSource db,
            dev.baton.agent.LiveRegistry agents,
            dev.baton.api.auth.LiveSecurity security) {
        HealthParts parts = new HealthParts();
        parts.add("broker", () -> {
            if (broker == null) {
                return new Part("UP", "external broker: whether it blocks producers is not checked from here");
            }
            var s = dev.baton.broker.BrokerHealth.of(broker.server());
            return new Part(s.status(), s.reason());
        });
        parts.add("database", () -> {
            try (java.sql.Connection c = db.getConnection()) {
                return c.isValid(5) ? Part.UP : new Part("DOWN", "the database does not answer");
            } catch (java.sql.SQLException e) {
                return new Part(
                        "DOWN",
                        "no connection to the database: " + e.getClass().getSimpleName() + " (SQL state "
                                + e.getSQLState() + ")");
            }
        });
        parts.add("agentRegistry", () -> {
            var s = agents.status();
            // No detail: /api/health needs no credentials; the problems are in the log with file:line:column.
            return s.errors().isEmpty()
                    ? Part.UP
                    : new Part(
                            "DEGRADED",
                            java.nio.file.Path.of(s.file()).getFileName() + ": the last edit was not loaded ("
                                    + s.errors().size() + " problem(s), logged); "
                                    + "the registry loaded at " + s.loadedAt() + " stays in force");
        });
        if (security != null) {
            parts.add(
                    "security", () -> security.problem() == null ? Part.UP : new Part("DEGRADED", security.problem()));
        }
        return parts;
    }
}
