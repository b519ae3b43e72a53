package dev.baton.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The llm and http entries of {@code agents.yaml}: typed when valid, every problem with its place when not. */
class AgentRegistryTest {
    @TempDir
    Path dir;

    AgentRegistry load(String yaml) throws Exception {
        Path file = dir.resolve("agents.yaml");
        Files.writeString(file, yaml);
        return AgentRegistry.load(file);
    }

    @Test
    void readsTheOptionsOfAnLlmAndAnHttpAgent() throws Exception {
        AgentRegistry r = load("""
                agents:
                  writer:
                    kind: llm
                    role: writer
                    baseUrl: http://127.0.0.1:11434/v1
                    model: llama3.2
                    apiKeyEnv: OPENAI_API_KEY
                    system: You are terse.
                    prompt: "Summarize: {{ input }}"
                    output: text
                    temperature: 0.3
                    maxTokens: 400
                    timeout: 90s
                    concurrency: 2
                  local: {kind: llm, baseUrl: "http://localhost:8000/v1", model: m}
                  scorer:
                    kind: http
                    url: https://scorer.example/score
                    headers: {Authorization: "Bearer ${env:SCORER_TOKEN}"}
                    timeout: 5s
                """);

        LlmOptions w = r.find("writer").orElseThrow().llm();
        assertThat(w)
                .isEqualTo(new LlmOptions(
                        URI.create("http://127.0.0.1:11434/v1"),
                        "llama3.2",
                        "OPENAI_API_KEY",
                        "You are terse.",
                        "Summarize: {{ input }}",
                        LlmOptions.Output.TEXT,
                        0.3,
                        400,
                        Duration.ofSeconds(90),
                        2));
        assertThat(r.find("writer").orElseThrow().kind()).isEqualTo(AgentKind.LLM);
        assertThat(r.find("local").orElseThrow().llm())
                .isEqualTo(new LlmOptions(
                        URI.create("http://localhost:8000/v1"),
                        "m",
                        null,
                        null,
                        "{{ input }}",
                        LlmOptions.Output.JSON,
                        null,
                        null,
                        Duration.ofSeconds(60),
                        4));
        assertThat(r.find("scorer").orElseThrow().http())
                .isEqualTo(new HttpOptions(
                        URI.create("https://scorer.example/score"),
                        Map.of("Authorization", "Bearer ${env:SCORER_TOKEN}"),
                        Duration.ofSeconds(5),
                        4));
    }

    @Test
    void reportsEveryProblemWithItsFileLineAndColumn() throws Exception {
        String f = dir.resolve("agents.yaml").toString();
        assertThatThrownBy(() -> load("""
                agents:
                  writer:
                    kind: llm
                    baseUrl: http://127.0.0.1:11434/v1
                    output: yaml
                    apiKey: sk-123
                    temperature: 7
                  nomodel: {kind: llm, baseUrl: "ftp://x/v1"}
                  hook:
                    kind: http
                    headers: {X-Key: "${env:bad name}", Content-Type: text/plain}
                    timeout: soon
                    method: PUT
                """))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        String.join(
                                "\n",
                                f
                                        + ":6:5 agent 'writer': option 'apiKey' is unknown for kind llm; use one of apiKeyEnv, baseUrl, "
                                        + "concurrency, maxTokens, maxToolCalls, model, output, prompt, system, temperature, timeout, tools",
                                f + ":2:3 agent 'writer': model is required for kind llm",
                                f + ":5:13 agent 'writer': output 'yaml' is unknown; use one of json, text",
                                f + ":7:18 agent 'writer': temperature must be a number from 0.0 to 2.0, not 7",
                                f
                                        + ":8:33 agent 'nomodel': baseUrl must be an http or https URL with a host, not 'ftp://x/v1'",
                                f + ":8:3 agent 'nomodel': model is required for kind llm",
                                f
                                        + ":13:5 agent 'hook': option 'method' is unknown for kind http; use one of concurrency, headers, "
                                        + "timeout, url",
                                f + ":9:3 agent 'hook': url is required for kind http",
                                f
                                        + ":11:22 agent 'hook': header 'X-Key': '${env:bad name}' does not name an environment variable",
                                f
                                        + ":11:55 agent 'hook': header 'Content-Type' is set by Baton and may not be configured",
                                f
                                        + ":12:14 agent 'hook': timeout: 'soon' is not a duration; use e.g. 200ms, 30s, 5m, 1h, 2d, 1m30s or PT5M"));
    }

    @Test
    void theDocsExampleLoads() throws Exception {
        String doc = Files.readString(Path.of("docs/agents.md"));
        int section = doc.indexOf("\n## LLM and HTTP agents");
        assertThat(section).as("the section in docs/agents.md").isPositive();
        int start = doc.indexOf("```yaml\n", section) + "```yaml\n".length();
        AgentRegistry r = load(doc.substring(start, doc.indexOf("```", start)));

        assertThat(r.find("writer").orElseThrow().llm().prompt()).contains("{{ input }}");
        assertThat(r.find("scorer").orElseThrow().http().headers())
                .containsEntry("Authorization", "Bearer ${env:SCORER_TOKEN}");
    }

    @Test
    void theKeyItselfIsNoVariableName() throws Exception {
        String f = dir.resolve("agents.yaml").toString();
        assertThatThrownBy(() -> load("""
                agents:
                  w: {kind: llm, baseUrl: "https://api.openai.com/v1", model: gpt-4o-mini, apiKeyEnv: sk-abc-123}
                """))
                .hasMessage(f + ":2:87 agent 'w': apiKeyEnv must name an environment variable (letters, digits, _), "
                        + "not 'sk-abc-123'; the key itself never goes in this file");
    }

    /** A placeholder that can never have a value is a load error with its place, not a null at run time (issue 18). */
    @Test
    void aPlaceholderThatCanNeverHaveAValueIsALoadError() throws Exception {
        String f = dir.resolve("agents.yaml").toString();
        assertThatThrownBy(() -> load("""
                agents:
                  fixer:
                    kind: demo
                    output: {fixed: "{{ item.id }}", index: "{{ item }}", fine: "{{ input.id }} {{ params.x }}"}
                  odd: {kind: demo, output: [ "{{ itme }}" ]}
                  w: {kind: llm, baseUrl: "http://127.0.0.1:1/v1", model: m, prompt: "Fix {{ stage.name }}"}
                """))
                .hasMessage(
                        String.join(
                                "\n",
                                f
                                        + ":4:21 agent 'fixer': '{{ item.id }}' never has a value: item is the ticket's for_each index (a "
                                        + "number; null outside a for_each); the for_each item itself is the ticket's input (unless "
                                        + "the for_each template sets another input), so use {{ input.id }}",
                                f
                                        + ":5:29 agent 'odd': '{{ itme }}' never has a value: 'itme' is not a name templates know; use "
                                        + "input, item, agent, stage or params",
                                f
                                        + ":6:70 agent 'w': '{{ stage.name }}' never has a value: stage is the stage's name, a string"));
    }
}
