package dev.baton.agent;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;

/**
 * The options of a {@code demo} agent, exactly as the README fixes them.
 *
 * @param output JSON template of the output, or null for {@code {"agent", "stage", "input"}}
 * @param failFirstAttempts attempts 1..N of every ticket fail (retryable)
 * @param fail every attempt fails with {@code retryable: false}
 * @param concurrency consumers on the agent's queue
 */
public record DemoOptions(JsonNode output, Duration delay, int failFirstAttempts, boolean fail, int concurrency) {}
