package dev.baton.agent;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/**
 * The options of an {@code llm} agent: an OpenAI-compatible chat-completions endpoint.
 *
 * @param baseUrl the API's base, e.g. {@code https://api.openai.com/v1} or Ollama's {@code http://127.0.0.1:11434/v1}
 * @param apiKeyEnv the environment variable that holds the API key, or null to send none
 * @param system the system prompt, or null
 * @param prompt template of the user message; {@code {{ input }}} and friends are substituted
 * @param temperature sampling temperature, or null for the server's default
 * @param maxTokens the most tokens of the answer, or null for the server's default
 * @param timeout connect and read timeout of one call
 * @param concurrency consumers on the agent's queue
 */
public record LlmOptions(
        URI baseUrl,
        String model,
        String apiKeyEnv,
        String system,
        String prompt,
        Output output,
        Double temperature,
        Integer maxTokens,
        Duration timeout,
        int concurrency) {
    static final Set<String> OPTIONS = Set.of("baseUrl", "model", "apiKeyEnv", "system", "prompt", "output",
            "temperature", "maxTokens", "timeout", "concurrency");
    static final String DEFAULT_PROMPT = "{{ input }}";
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    /** What the ticket's output is made of. */
    public enum Output {
        /** The answer parsed as JSON; an answer that is not JSON fails the ticket for good. */
        JSON,
        /** The answer as a JSON string. */
        TEXT
    }

    /** Reads and checks the entry's options, adding every problem to the entry's errors. */
    static LlmOptions read(RegistryEntry e, Set<String> common) {
        e.onlyOptions("llm", common, OPTIONS);
        URI baseUrl = e.httpUrl("baseUrl", "llm");
        String model = e.requiredText("model", "llm");
        String keyEnv = e.text("apiKeyEnv");
        if (keyEnv != null && !EnvValues.NAME.matcher(keyEnv).matches()) {
            e.error("apiKeyEnv", "apiKeyEnv must name an environment variable (letters, digits, _), not '" + keyEnv
                    + "'; the key itself never goes in this file");
        }
        String prompt = e.text("prompt");
        Output output = Output.JSON;
        String out = e.text("output");
        if (out != null) {
            try {
                output = Output.valueOf(out.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException x) {
                e.error("output", "output '" + out + "' is unknown; use one of json, text");
            }
        }
        Integer concurrency = e.integer("concurrency", 1, 1000);
        return new LlmOptions(baseUrl, model, keyEnv, e.text("system"), prompt == null ? DEFAULT_PROMPT : prompt,
                output, e.number("temperature", 0, 2), e.integer("maxTokens", 1, 10_000_000),
                e.duration("timeout", DEFAULT_TIMEOUT), concurrency == null ? 4 : concurrency);
    }
}
