package dev.baton.runtime;

import dev.baton.pipeline.TokenPrice;
import java.util.Optional;

/** The price of an agent's tokens (the registry's {@code prices}, by the agent's model or name). */
@FunctionalInterface
public interface TokenPrices {
    Optional<TokenPrice> of(String agent);

    static TokenPrices none() {
        return agent -> Optional.empty();
    }
}
