package dev.baton.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.pipeline.load.PipelineLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** config/agents.yaml: the registry's fields, their errors, and what an agentSelector may match. */
class AgentRegistryFieldsTest {
    @TempDir
    Path dir;

    @Test
    void readsRoleCapabilitiesConcurrencyAndPriority() throws Exception {
        AgentRegistry r = load("""
                agents:
                  writer: {kind: external, role: writer, capabilities: [draft, edit], maxConcurrency: 2, priority: 7}
                  model: {kind: llm, baseUrl: "http://127.0.0.1:11434/v1", model: gpt-4o-mini, apiKeyEnv: OPENAI_API_KEY}
                """);
        AgentConfig w = r.find("writer").orElseThrow();
        assertThat(w.role()).isEqualTo("writer");
        assertThat(w.capabilities()).containsExactly("draft", "edit");
        assertThat(w.maxConcurrency()).isEqualTo(2);
        assertThat(w.priority()).isEqualTo(7);
        assertThat(r.all()).extracting(AgentConfig::name).containsExactly("writer", "model");
        assertThat(r.listed())
                .extracting(a -> a.name() + " " + a.capabilities())
                .containsExactly("writer [draft, edit]", "model []");
    }

    @Test
    void badValuesAreAllReportedWithWhereTheyAre() throws Exception {
        assertThatThrownBy(() -> load("""
                agents:
                  a: {priority: 12, maxConcurrency: 0, capabilities: draft}
                """))
                .hasMessageContainingAll(
                        ":2:17 agent 'a': priority must be an integer from 0 to 9, not 12",
                        ":2:37 agent 'a': maxConcurrency must be an integer of at least 1, not 0",
                        ":2:54 agent 'a': capabilities must be a list of capability names");
    }

    @Test
    void aSelectorMayMatchAnAgentOfTheRegistryButNotOneNobodyHas() throws Exception {
        AgentRegistry r = load("""
                agents:
                  writer: {kind: external, role: writer, capabilities: [draft]}
                """);
        String pipeline = """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: p}
                spec:
                  pipeline:
                    stages:
                      - name: a
                        agentSelector: {capabilities: [draft], role: writer}
                      - name: b
                        dependsOn: [a]
                        agentSelector: {capabilities: [draft], role: editor}
                """;
        assertThat(PipelineLoader.read(pipeline, "routes/p.yaml", r).violations())
                .map(Object::toString)
                .containsExactly("routes/p.yaml:11:24 stage 'b': agentSelector {capabilities: [draft], role: editor} "
                        + "matches no agent of spec.agents or config/agents.yaml; agents: writer [draft] role writer");
    }

    @Test
    void aSelectorWhenNoAgentDeclaresARoleOrCapabilitiesSaysSo() throws Exception {
        AgentRegistry r = load("agents:\n  plain: {kind: external}\n");
        String pipeline = """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: p}
                spec:
                  pipeline:
                    stages:
                      - {name: a, agentSelector: {role: writer}}
                """;
        assertThat(PipelineLoader.read(pipeline, "routes/p.yaml", r).violations())
                .map(Object::toString)
                .containsExactly(
                        "routes/p.yaml:7:34 stage 'a': agentSelector {role: writer} "
                                + "matches no agent of spec.agents or config/agents.yaml; none declares a role or capabilities");
    }

    private AgentRegistry load(String yaml) throws Exception {
        Path file = dir.resolve("agents.yaml");
        Files.writeString(file, yaml);
        return AgentRegistry.load(file);
    }
}
