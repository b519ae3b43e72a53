package dev.baton.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** config/agents.yaml: maxConcurrency and priority are read typed, checked, and inherited from the default. */
class AgentRegistryLimitsTest {
    @TempDir
    Path dir;

    @Test
    void readsMaxConcurrencyAndPriorityAndTheDefaultPassesThemOn() throws Exception {
        Path f = Files.writeString(dir.resolve("agents.yaml"), """
                default: {kind: demo, priority: 2, maxConcurrency: 5}
                agents:
                  ranker: {kind: external, maxConcurrency: 3, priority: 9}
                  plain: {kind: external}
                """);
        AgentRegistry r = AgentRegistry.load(f);

        assertThat(r.find("ranker").orElseThrow().maxConcurrency()).isEqualTo(3);
        assertThat(r.find("ranker").orElseThrow().priority()).isEqualTo(9);
        assertThat(r.find("plain").orElseThrow().maxConcurrency()).isNull();
        assertThat(r.find("plain").orElseThrow().priority()).isNull();
        assertThat(r.find("anyone").orElseThrow().priority()).isEqualTo(2);
        assertThat(r.find("anyone").orElseThrow().maxConcurrency()).isEqualTo(5);
    }

    @Test
    void badMaxConcurrencyOrPriorityIsRefusedWithEveryProblemNamed() throws Exception {
        Path f = Files.writeString(dir.resolve("agents.yaml"), """
                agents:
                  a: {maxConcurrency: 0, priority: 10}
                  b: {maxConcurrency: many, priority: -1}
                  c: {maxConcurrency: 2.5, priority: high}
                """);

        assertThatThrownBy(() -> AgentRegistry.load(f))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(String.join(
                        "\n",
                        f + ":2:23 agent 'a': maxConcurrency must be an integer of at least 1, not 0",
                        f + ":2:36 agent 'a': priority must be an integer from 0 to 9, not 10",
                        f + ":3:23 agent 'b': maxConcurrency must be an integer of at least 1, not \"many\"",
                        f + ":3:39 agent 'b': priority must be an integer from 0 to 9, not -1",
                        f + ":4:23 agent 'c': maxConcurrency must be an integer of at least 1, not 2.5",
                        f + ":4:38 agent 'c': priority must be an integer from 0 to 9, not \"high\""));
    }

    @Test
    void agentNamesAreThoseAPipelineMayUse() throws Exception {
        String tooLong = "a".repeat(101);
        Path f = Files.writeString(dir.resolve("agents.yaml"), """
                agents:
                  Team.Writer: {kind: external}
                  %s: {kind: external}
                  fine-name: {kind: external}
                """.formatted(tooLong));

        assertThatThrownBy(() -> AgentRegistry.load(f))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(String.join(
                        "\n",
                        f + ":2:3 agent name 'Team.Writer' must match [a-z0-9][a-z0-9-]*",
                        f + ":3:3 agent name is 101 characters; at most 100 are allowed"));
    }
}
