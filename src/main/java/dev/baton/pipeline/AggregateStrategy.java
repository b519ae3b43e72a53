package dev.baton.pipeline;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How the replies of a multi-agent stage become its outcome (README: Stage kinds). */
public enum AggregateStrategy {
    /** Every agent must succeed; the output is the array of outputs in agent order. */
    ALL,
    /** The first success decides; fails only when every agent failed. */
    ANY,
    /** The first reply decides, success or failure. */
    FIRST,
    /** Every agent must succeed; object outputs are deep-merged in agent order. */
    MERGE,
    /** Every agent replies; the plurality ballot wins and a tie fails the stage. */
    VOTE,
    /** Completes as soon as a quorum of ballots agree. */
    QUORUM;

    /** The name as written in YAML. */
    public String yaml() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** All names as written in YAML, comma-separated, for error messages. */
    public static String names() {
        return Arrays.stream(values()).map(AggregateStrategy::yaml).collect(Collectors.joining(", "));
    }

    /** Whether each reply carries a ballot ({@code voteOn}). */
    public boolean ballots() {
        return this == VOTE || this == QUORUM;
    }
}
