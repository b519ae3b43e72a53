package dev.baton.runtime;

import dev.baton.pipeline.AgentCatalog;
import dev.baton.pipeline.AgentSelector;
import dev.baton.pipeline.AgentSpec;
import dev.baton.ticket.AgentStore;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Chooses the agent for a ticket of an {@code agentSelector} stage at each dispatch: among the agents with every
 * capability (and the role), a healthy one before one never heard of before a DOWN one, then the least loaded
 * (tickets QUEUED or RUNNING), then the first declared. Reads health and load in the dispatching transaction.
 */
final class AgentChooser {
    /** Where tickets go when no agent matches any more (the registry changed under a running pipeline). */
    static final String UNMATCHED = "unmatched";

    private final AgentCatalog catalog;
    private final AgentStore agents;
    private final AgentHealth.Policy health;

    /** The agent chosen and why, for the ticket's history. */
    record Choice(String agent, String detail) {}

    AgentChooser(AgentCatalog catalog, AgentStore agents, AgentHealth.Policy health) {
        this.catalog = catalog;
        this.agents = agents;
        this.health = health;
    }

    Choice choose(Step s, AgentSelector selector) throws SQLException {
        List<AgentSpec> candidates = candidates(s, selector);
        if (candidates.isEmpty()) {
            return new Choice(
                    UNMATCHED,
                    "agentSelector " + selector + " matches no configured agent; queued for '" + UNMATCHED + "'");
        }
        Map<String, Instant> heartbeats = agents.lastHeartbeats(s.c);
        Map<String, Map<String, Integer>> load = agents.load(s.c);
        record Scored(AgentSpec agent, String health, int rank, int load, int order) {}
        List<Scored> scored = new ArrayList<>();
        for (int i = 0; i < candidates.size(); i++) {
            AgentSpec a = candidates.get(i);
            String h = health.of(heartbeats.get(a.name()), s.now);
            int rank = switch (h) {
                case AgentHealth.UP -> 0;
                case AgentHealth.UNKNOWN -> 1;
                default -> 2;
            };
            int n = load.getOrDefault(a.name(), Map.of()).values().stream()
                    .mapToInt(Integer::intValue)
                    .sum();
            scored.add(new Scored(a, h, rank, n, i));
        }
        scored.sort(Comparator.comparingInt(Scored::rank)
                .thenComparingInt(Scored::load)
                .thenComparingInt(Scored::order));
        Scored best = scored.get(0);
        StringBuilder why = new StringBuilder(
                "agentSelector " + selector + " chose " + best.agent().name() + " (");
        for (int i = 0; i < scored.size(); i++) {
            Scored c = scored.get(i);
            why.append(i == 0 ? "" : ", ")
                    .append(c.agent().name())
                    .append(' ')
                    .append(c.health())
                    .append(" load ")
                    .append(c.load());
        }
        return new Choice(best.agent().name(), why.append(')').toString());
    }

    /** The pipeline's {@code spec.agents} merged with the registry (the registry's values win), that match. */
    private List<AgentSpec> candidates(Step s, AgentSelector selector) {
        Map<String, AgentSpec> merged = new LinkedHashMap<>(s.pipeline.agents());
        for (AgentSpec listed : catalog.listed()) {
            merged.put(listed.name(), listed.mergedWith(merged.get(listed.name())));
        }
        return merged.values().stream()
                .filter(a -> selector.matches(a.role(), a.capabilities()))
                .toList();
    }
}
