package dev.baton.pipeline;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** One node of a pipeline's DAG; each kind is a record, chosen by an exhaustive visitor. */
public sealed interface Stage permits AgentStage, MultiAgentStage, ForEachStage, LoopStage, ApprovalStage {
    StageBase base();

    <R> R accept(StageVisitor<R> visitor);

    default String name() {
        return base().name();
    }

    default List<String> dependsOn() {
        return base().dependsOn();
    }

    default Location location() {
        return base().location();
    }

    /** The kind as a word: agent, agents, for_each, loop, approval. */
    default String kind() {
        return accept(new StageVisitor<>() {
            public String agent(AgentStage s) {
                return "agent";
            }

            public String multiAgent(MultiAgentStage s) {
                return "agents";
            }

            public String forEach(ForEachStage s) {
                return "for_each";
            }

            public String loop(LoopStage s) {
                return "loop";
            }

            public String approval(ApprovalStage s) {
                return "approval";
            }
        });
    }

    /** Every agent this stage (with its inner stages and its compensation) may send a ticket to. */
    default Set<String> agentNames() {
        Set<String> names = new LinkedHashSet<>();
        accept(new StageVisitor<Void>() {
            public Void agent(AgentStage s) {
                names.add(s.agent());
                return null;
            }

            public Void multiAgent(MultiAgentStage s) {
                names.addAll(s.agents());
                return null;
            }

            public Void forEach(ForEachStage s) {
                names.add(s.template().agent());
                return null;
            }

            public Void loop(LoopStage s) {
                s.stages().forEach(inner -> names.addAll(inner.agentNames()));
                return null;
            }

            public Void approval(ApprovalStage s) {
                return null;
            }
        });
        if (base().compensate() != null) {
            names.add(base().compensate().agent());
        }
        names.remove(null);
        return names;
    }
}
