package dev.baton.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A decision as REST, the CLI and JMS send it: {@code {"decision": "approve"|"reject", "approver": "...",
 * "comment": "..."}}. Checked strictly: unknown fields and wrong types are errors, never ignored.
 */
public record DecisionRequest(boolean approve, String approver, String comment) {
    static final int MAX_APPROVER = 100;
    static final int MAX_COMMENT = 2000;
    private static final List<String> FIELDS = List.of("decision", "approver", "comment");
    private static final List<String> ADDRESSED = List.of("decision", "approver", "comment", "runId", "stage");

    /**
     * @param body the JSON body
     * @param addressed whether the body also names {@code runId} and {@code stage} (JMS; read elsewhere), rather
     *     than the URL (REST)
     * @throws IllegalArgumentException listing every problem, one per line
     */
    public static DecisionRequest parse(JsonNode body, boolean addressed) {
        return parse(body, addressed, true);
    }

    /**
     * @param approverRequired false when the sender's identity comes from elsewhere (an authenticated REST caller,
     *     a broker-validated JMS user): the field may then be left out
     */
    public static DecisionRequest parse(JsonNode body, boolean addressed, boolean approverRequired) {
        List<String> allowed = addressed ? ADDRESSED : FIELDS;
        List<String> problems = new ArrayList<>();
        if (body == null || !body.isObject()) {
            throw new IllegalArgumentException("the body must be a JSON object like {\"decision\": \"approve\", "
                    + "\"approver\": \"alice\", \"comment\": \"looks good\"}");
        }
        body.fieldNames().forEachRemaining(f -> {
            if (!allowed.contains(f)) {
                problems.add("unknown field '" + f + "'; expected " + String.join(", ", allowed));
            }
        });
        JsonNode decision = body.get("decision");
        if (decision == null
                || !decision.isTextual()
                || !(decision.asText().equals("approve") || decision.asText().equals("reject"))) {
            problems.add("decision must be \"approve\" or \"reject\"");
        }
        String approver = text(body, "approver", MAX_APPROVER, approverRequired, problems);
        String comment = text(body, "comment", MAX_COMMENT, false, problems);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("\n", problems));
        }
        return new DecisionRequest(decision.asText().equals("approve"), approver, comment);
    }

    private static String text(JsonNode body, String field, int max, boolean required, List<String> problems) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                problems.add(field + " is required");
            }
            return null;
        }
        if (!v.isTextual() || v.asText().isBlank() || v.asText().length() > max) {
            problems.add(field + " must be a non-empty string of at most " + max + " characters");
            return null;
        }
        return v.asText();
    }
}
