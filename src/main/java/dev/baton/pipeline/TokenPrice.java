package dev.baton.pipeline;

/**
 * What one model's tokens cost, in US dollars per million tokens ({@code prices} in {@code config/agents.yaml}).
 *
 * @param inputPerMillion the price of a million prompt tokens
 * @param outputPerMillion the price of a million completion tokens
 */
public record TokenPrice(double inputPerMillion, double outputPerMillion) {
    private static final double MILLION = 1_000_000d;

    /**
     * The cost of one reply's tokens. Tokens of the total beyond the prompt/completion split (all of them when a reply
     * reports only a total) are priced as output, the dearer kind with every provider we know: a budget errs on the
     * side of stopping early.
     */
    public double cost(long prompt, long completion, long total) {
        long unsplit = Math.max(0, total - prompt - completion);
        return (prompt * inputPerMillion + (completion + unsplit) * outputPerMillion) / MILLION;
    }
}
