package dev.baton.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.pipeline.TokenPrice;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code prices} in config/agents.yaml: by an llm agent's model, else by agent name; bad entries say where. */
class PriceTableTest {
    @TempDir
    Path dir;

    AgentRegistry load(String yaml) throws Exception {
        Path file = dir.resolve("agents.yaml");
        Files.writeString(file, yaml);
        return AgentRegistry.load(file);
    }

    @Test
    void anLlmAgentIsPricedByItsModelAndAnyOtherAgentByItsName() throws Exception {
        AgentRegistry r = load("""
                prices:
                  gpt-4o-mini: {inputPerMillion: 0.15, outputPerMillion: 0.6}
                  scorer: {inputPerMillion: 1, outputPerMillion: 2}
                agents:
                  writer: {kind: llm, model: gpt-4o-mini, baseUrl: "http://127.0.0.1:9/v1"}
                  other: {kind: llm, model: unknown-model, baseUrl: "http://127.0.0.1:9/v1"}
                  scorer: {kind: external}
                """);

        assertThat(r.price("writer")).contains(new TokenPrice(0.15, 0.6));
        assertThat(r.price("scorer")).contains(new TokenPrice(1, 2));
        assertThat(r.price("other")).isEmpty();
        assertThat(r.price("nobody")).isEmpty();
        // 1,000 prompt and 200 completion tokens of gpt-4o-mini
        assertThat(r.price("writer").orElseThrow().cost(1000, 200, 1200))
                .isEqualTo(0.00027, org.assertj.core.data.Offset.offset(1e-12));
        // a reply with only a total is priced as output
        assertThat(r.price("writer").orElseThrow().cost(0, 0, 1000))
                .isEqualTo(0.0006, org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void badPricesAreAllReportedWithLineAndColumn() {
        assertThatThrownBy(() -> load("""
                prices:
                  a: {inputPerMillion: -1, outputPerMillion: 0.6}
                  b: {inputPerMillion: 0.1}
                  c: {inputPerMillion: 1, outputPerMillion: 1, currency: eur}
                  d: 3
                """))
                .hasMessageContainingAll(
                        "agents.yaml:2:24 prices.a.inputPerMillion: must be a number of US dollars of at least 0, not -1",
                        "agents.yaml:3:3 prices.b: outputPerMillion is required (US dollars per million tokens)",
                        "agents.yaml:4:48 prices.c: unknown field 'currency'; expected inputPerMillion, outputPerMillion",
                        "agents.yaml:5:6 prices.d: must be a mapping like {inputPerMillion: 0.15, outputPerMillion: 0.6}");
    }
}
