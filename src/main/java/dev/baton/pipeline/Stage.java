package dev.baton.pipeline;

import java.util.List;

/** One node of a pipeline's DAG; each kind is a record, chosen by an exhaustive switch. */
public sealed interface Stage permits AgentStage {
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
}
