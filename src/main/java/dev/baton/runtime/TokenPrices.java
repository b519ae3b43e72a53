package dev.baton.runtime;

import dev.baton.pipeline.TokenPrice;
import java.util.Optional;

/**
 * The price of an agent's tokens (the registry's {@code prices}, by the agent's model or name), the agent being as
 * the pipeline that runs it declares it when the registry does not list it.
 */
@FunctionalInterface
public interface TokenPrices {
    Optional<TokenPrice> of(String agent, dev.baton.pipeline.AgentSpec declared);

    static TokenPrices none() {
        return (agent, declared) -> Optional.empty();
    }
}
