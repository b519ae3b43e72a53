package dev.baton.pipeline;

import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Where a pipeline reports the outcomes of its runs ({@code spec.notify}): a webhook URL and the run outcomes that
 * are sent to it.
 *
 * @param webhook an absolute http or https URL
 * @param on the outcomes that are delivered
 */
public record Notify(URI webhook, Set<Outcome> on) {
    /** The outcomes used when {@code on} is left out: every way a run can end. */
    public static final List<Outcome> DEFAULT_ON =
            List.of(Outcome.SUCCEEDED, Outcome.FAILED, Outcome.COMPENSATED, Outcome.CANCELLED);

    public Notify {
        on = Set.copyOf(on);
    }

    /** A run outcome a webhook may subscribe to; each is a run status, {@code started} being RUNNING. */
    public enum Outcome {
        STARTED("RUNNING"),
        SUCCEEDED("SUCCEEDED"),
        FAILED("FAILED"),
        COMPENSATING("COMPENSATING"),
        COMPENSATED("COMPENSATED"),
        CANCELLED("CANCELLED");

        private final String runStatus;

        Outcome(String runStatus) {
            this.runStatus = runStatus;
        }

        /** The name written in YAML and in delivery records. */
        public String yaml() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Outcome ofRunStatus(String status) {
            return Arrays.stream(values())
                    .filter(o -> o.runStatus.equals(status))
                    .findFirst()
                    .orElse(null);
        }

        public static Outcome ofYaml(String text) {
            return Arrays.stream(values())
                    .filter(o -> o.yaml().equals(text))
                    .findFirst()
                    .orElse(null);
        }

        /** Every name, for messages. */
        public static String names() {
            return String.join(", ", Arrays.stream(values()).map(Outcome::yaml).toList());
        }
    }

    /** True when a run that reached {@code runStatus} is delivered to the webhook. */
    public boolean wants(String runStatus) {
        Outcome o = Outcome.ofRunStatus(runStatus);
        return o != null && on.contains(o);
    }
}
