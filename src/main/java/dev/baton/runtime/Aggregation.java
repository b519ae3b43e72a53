package dev.baton.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.pipeline.Json;
import dev.baton.pipeline.MultiAgentStage;
import dev.baton.ticket.TicketRow;
import dev.baton.ticket.TicketStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The aggregation strategies of the pipeline format (README: Stage kinds), as a pure function of the stage's tickets
 * (in agent order): either no decision yet, or the stage's output, or the reason it failed.
 */
final class Aggregation {
    private Aggregation() {}

    /** A decision: {@code error} null means success with {@code output}. */
    record Outcome(JsonNode output, String error, String detail) {
        static Outcome success(JsonNode output, String detail) {
            return new Outcome(output, null, detail);
        }

        static Outcome failure(String error) {
            return new Outcome(null, error, null);
        }
    }

    /** The outcome so far, or null while the strategy still waits for more replies. */
    static Outcome decide(MultiAgentStage stage, List<TicketRow> tickets) {
        List<TicketRow> ok = tickets.stream()
                .filter(t -> t.status() == TicketStatus.SUCCEEDED)
                .toList();
        List<TicketRow> failed =
                tickets.stream().filter(t -> t.status() == TicketStatus.FAILED).toList();
        boolean allEnded = ok.size() + failed.size() == tickets.size();
        return switch (stage.strategy()) {
            case ALL ->
                !failed.isEmpty()
                        ? Outcome.failure(failures(failed))
                        : allEnded ? Outcome.success(outputs(ok), null) : null;
            case MERGE -> !failed.isEmpty() ? Outcome.failure(failures(failed)) : allEnded ? merge(ok) : null;
            case ANY ->
                !ok.isEmpty()
                        ? Outcome.success(
                                ok.get(0).output(),
                                "first success: " + ok.get(0).agent())
                        : allEnded ? Outcome.failure("every agent failed: " + failures(failed)) : null;
            case FIRST -> first(tickets);
            case VOTE -> allEnded ? vote(stage, ok, failed) : null;
            case QUORUM -> quorum(stage, ok, tickets.size() - ok.size() - failed.size());
        };
    }

    /** The ballot in an agent's output: the value at {@code voteOn}, or the whole output. */
    static JsonNode ballot(MultiAgentStage stage, JsonNode output) {
        if (stage.voteOn() == null || output == null || !output.isContainerNode()) {
            return output == null ? Json.MAPPER.nullNode() : output;
        }
        return RunContext.read(output, stage.voteOn());
    }

    static String ballotText(JsonNode ballot) {
        return Json.write(ballot);
    }

    private static Outcome first(List<TicketRow> tickets) {
        // The first ticket to end is the one ended earliest; ties cannot happen under the run lock.
        return tickets.stream()
                .filter(t -> t.status().terminal() && t.status() != TicketStatus.CANCELLED)
                .min(java.util.Comparator.comparing(TicketRow::updatedAt))
                .map(t -> t.status() == TicketStatus.SUCCEEDED
                        ? Outcome.success(t.output(), "first reply: " + t.agent())
                        : Outcome.failure("first reply was a failure from " + t.agent() + ": " + t.error()))
                .orElse(null);
    }

    private static Outcome merge(List<TicketRow> ok) {
        ObjectNode merged = Json.object();
        for (TicketRow t : ok) {
            if (!(t.output() instanceof ObjectNode o)) {
                return Outcome.failure("merge needs object outputs; " + t.agent() + " returned "
                        + t.output().getNodeType().name().toLowerCase(java.util.Locale.ROOT));
            }
            deepMerge(merged, o);
        }
        return Outcome.success(merged, null);
    }

    private static void deepMerge(ObjectNode into, ObjectNode from) {
        for (Map.Entry<String, JsonNode> e : from.properties()) {
            JsonNode existing = into.get(e.getKey());
            if (existing instanceof ObjectNode eo && e.getValue() instanceof ObjectNode vo) {
                deepMerge(eo, vo);
            } else {
                into.set(e.getKey(), e.getValue().deepCopy());
            }
        }
    }

    private static Outcome vote(MultiAgentStage stage, List<TicketRow> ok, List<TicketRow> failed) {
        if (ok.isEmpty()) {
            return Outcome.failure("no ballots: every agent failed: " + failures(failed));
        }
        Map<String, Integer> tally = tally(stage, ok);
        int top = tally.values().stream().max(Integer::compare).orElse(0);
        List<String> leaders = tally.entrySet().stream()
                .filter(e -> e.getValue() == top)
                .map(Map.Entry::getKey)
                .toList();
        if (leaders.size() > 1) {
            return Outcome.failure("vote tied at " + top + " between " + describeTie(stage, ok, leaders));
        }
        return Outcome.success(result(stage, ok, leaders.get(0), tally), "decision " + leaders.get(0));
    }

    private static Outcome quorum(MultiAgentStage stage, List<TicketRow> ok, int stillOut) {
        Map<String, Integer> tally = tally(stage, ok);
        int needed = stage.quorumSize();
        for (var e : tally.entrySet()) {
            if (e.getValue() >= needed) {
                return Outcome.success(
                        result(stage, ok, e.getKey(), tally), "quorum of " + needed + " reached for " + e.getKey());
            }
        }
        int best = tally.values().stream().max(Integer::compare).orElse(0);
        if (best + stillOut < needed) {
            return Outcome.failure("no quorum of " + needed + " is possible any more: tally " + tallyText(tally) + ", "
                    + stillOut + " still out");
        }
        return null;
    }

    private static Map<String, Integer> tally(MultiAgentStage stage, List<TicketRow> ok) {
        Map<String, Integer> tally = new LinkedHashMap<>();
        for (TicketRow t : ok) {
            tally.merge(ballotText(ballot(stage, t.output())), 1, Integer::sum);
        }
        return tally;
    }

    private static JsonNode result(
            MultiAgentStage stage, List<TicketRow> ok, String winner, Map<String, Integer> tally) {
        ObjectNode out = Json.object();
        out.set("decision", Json.parse(winner));
        ObjectNode t = out.putObject("tally");
        tally.forEach((ballot, n) -> {
            JsonNode b = Json.parse(ballot);
            t.put(b.isTextual() ? b.asText() : ballot, n);
        });
        ArrayNode ballots = out.putArray("ballots");
        for (TicketRow r : ok) {
            ballots.addObject().put("agent", r.agent()).set("ballot", ballot(stage, r.output()));
        }
        return out;
    }

    private static String describeTie(MultiAgentStage stage, List<TicketRow> ok, List<String> leaders) {
        List<String> parts = new ArrayList<>();
        for (String leader : leaders) {
            String who = ok.stream()
                    .filter(t -> ballotText(ballot(stage, t.output())).equals(leader))
                    .map(TicketRow::agent)
                    .collect(Collectors.joining(", "));
            parts.add(leader + " (" + who + ")");
        }
        return String.join(" and ", parts);
    }

    private static String tallyText(Map<String, Integer> tally) {
        return tally.isEmpty() ? "{}" : tally.toString();
    }

    private static ArrayNode outputs(List<TicketRow> ok) {
        ArrayNode arr = Json.MAPPER.createArrayNode();
        ok.forEach(t -> arr.add(t.output()));
        return arr;
    }

    private static String failures(List<TicketRow> failed) {
        return failed.stream().map(t -> t.agent() + ": " + t.error()).collect(Collectors.joining("; "));
    }
}
