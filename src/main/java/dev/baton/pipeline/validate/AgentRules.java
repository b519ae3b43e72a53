package dev.baton.pipeline.validate;

import dev.baton.pipeline.AgentCatalog;
import dev.baton.pipeline.AgentSelector;
import dev.baton.pipeline.AgentSpec;
import dev.baton.pipeline.AgentStage;
import dev.baton.pipeline.Compensation;
import dev.baton.pipeline.ForEachStage;
import dev.baton.pipeline.MultiAgentStage;
import dev.baton.pipeline.Pipeline;
import dev.baton.pipeline.Stage;
import dev.baton.pipeline.StoreLimits;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** The rules on the agents a stage names: each a valid queue name, declared or registered; a selector that can match. */
final class AgentRules {
    /** An agent's name is part of its queue's name and of the broker's security matches: no wildcards, no dots. */
    private static final Pattern AGENT_NAME = Pattern.compile("[a-z0-9][a-z0-9-]*");

    private final Pipeline pipeline;
    private final AgentCatalog registry;

    AgentRules(Pipeline pipeline, AgentCatalog registry) {
        this.pipeline = pipeline;
        this.registry = registry;
    }

    /** Every agent stage {@code i} names, wherever it names it, must be declared or registered. */
    void check(Body b, int i) {
        Stage stage = b.stages().get(i);
        if (stage instanceof AgentStage s && s.selector() != null) {
            checkSelector(b, i, s.selector());
        } else if (stage instanceof AgentStage s) {
            checkAgent(b, i, "agent", s.agent());
        } else if (stage instanceof MultiAgentStage s) {
            for (int j = 0; j < s.agents().size(); j++) {
                checkAgent(b, i, "agents[" + j + "]", s.agents().get(j));
            }
        } else if (stage instanceof ForEachStage s) {
            checkAgent(b, i, "dynamic.template.agent", s.template().agent());
        }
        Compensation comp = stage.base().compensate();
        if (comp != null) {
            checkAgent(b, i, "compensate.agent", comp.agent());
        }
    }

    private void checkAgent(Body b, int i, String field, String agent) {
        if (agent != null && (!AGENT_NAME.matcher(agent).matches() || agent.length() > StoreLimits.AGENT)) {
            // A registry with a default agent knows every name: the name itself must still be one a queue can have.
            b.report(
                    i,
                    field,
                    "agent name must match " + AGENT_NAME + " and have at most " + StoreLimits.AGENT
                            + " characters"
                            + (agent.length() > StoreLimits.AGENT
                                    ? " (it has " + agent.length() + ")"
                                    : ", not '" + agent + "'"));
        } else if (agent != null && !pipeline.agents().containsKey(agent) && !registry.knows(agent)) {
            b.report(i, field, "agent '" + agent + "' is not declared in spec.agents or config/agents.yaml");
        }
    }

    /**
     * A selector must match at least one agent of {@code spec.agents} or the registry (merged: the registry's role and
     * capabilities win), or its stage could never run.
     */
    private void checkSelector(Body b, int i, AgentSelector selector) {
        if (registry.open()) {
            return;
        }
        Map<String, AgentSpec> merged = new java.util.LinkedHashMap<>(pipeline.agents());
        for (AgentSpec listed : registry.listed()) {
            merged.put(listed.name(), listed.mergedWith(merged.get(listed.name())));
        }
        boolean any = merged.values().stream().anyMatch(a -> selector.matches(a.role(), a.capabilities()));
        if (!any) {
            // Only agents with a role or capabilities could ever match a selector: the others are not worth listing.
            List<AgentSpec> able = merged.values().stream()
                    .filter(a -> a.role() != null
                            || (a.capabilities() != null && !a.capabilities().isEmpty()))
                    .toList();
            b.report(
                    i,
                    "agentSelector",
                    "agentSelector " + selector + " matches no agent of spec.agents or "
                            + "config/agents.yaml"
                            + (able.isEmpty()
                                    ? "; none declares a role or capabilities"
                                    : "; agents: " + describe(able)));
        }
    }

    private static String describe(java.util.Collection<AgentSpec> agents) {
        return agents.stream()
                .map(a -> a.name() + " " + a.capabilities() + (a.role() == null ? "" : " role " + a.role()))
                .sorted()
                .collect(java.util.stream.Collectors.joining(", "));
    }
}
