package dev.baton.pipeline.load;

import dev.baton.pipeline.ApprovalStage;
import dev.baton.pipeline.StageBase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/** Reads an approval stage's {@code approval} mapping: who may decide, the policy and quorum, the timeout. */
final class ApprovalReader {
    /** Matches what a decision's approver may be (DecisionRequest): 1 to 100 characters, trimmed. */
    private static final int MAX_APPROVER = 100;

    private static final Pattern APPROVER = Pattern.compile("\\S(.{0,98}\\S)?");
    private static final Set<String> APPROVAL = Set.of("approvers", "policy", "quorum", "timeout", "onTimeout");

    private final Fields stage;
    private final Scope scope;

    ApprovalReader(Fields stage, Scope scope) {
        this.stage = stage;
        this.scope = scope;
    }

    ApprovalStage read(StageBase base) {
        for (String key : List.of("retry", "timeout", "deadline", "priority")) {
            if (stage.has(key)) {
                scope.error(
                        stage.keyNode(key),
                        "'" + key + "' does not apply to an approval stage"
                                + (key.equals("timeout") ? "; use 'approval.timeout'" : ""));
            }
        }
        Scope here = scope.child("approval");
        MappingNode map = stage.mapping(
                "approval",
                "must be a mapping like {approvers: [alice, bob], policy: any," + " timeout: 1h, onTimeout: reject}");
        if (map == null) {
            return new ApprovalStage(base, List.of(), ApprovalStage.Policy.ANY, 1, null, false);
        }
        Fields fields = new Fields(here, map).allow(APPROVAL, Set.of());
        List<ScalarNode> names = fields.names("approvers", "must be a list of names");
        for (ScalarNode n : names) {
            if (!APPROVER.matcher(n.getValue()).matches()) {
                here.error(
                        n,
                        here.field("approvers") + " entry '" + n.getValue() + "' must be 1 to " + MAX_APPROVER
                                + " characters without spaces at either end");
            }
        }
        if (names.isEmpty() && fields.value("approvers") instanceof SequenceNode) {
            here.error(
                    fields.value("approvers"),
                    here.field("approvers") + " must list at least one name; leave it out to let anyone decide");
        }
        List<String> approvers = distinct(names, "approval.approvers");
        ApprovalStage.Policy policy = ApprovalStage.Policy.valueOf(
                PolicyReader.choice(fields, here, "policy", List.of("any", "all", "quorum"))
                        .toUpperCase(Locale.ROOT));
        Integer quorum = fields.integer("quorum", 1, Integer.MAX_VALUE, "must be an integer of at least 1");
        if (fields.has("quorum") && policy != ApprovalStage.Policy.QUORUM) {
            here.error(
                    fields.keyNode("quorum"),
                    here.field("quorum") + " applies only to policy quorum, not " + policy.yaml());
        } else if (policy == ApprovalStage.Policy.QUORUM && fields.value("quorum") == null) {
            here.missing(map, "quorum");
        } else if (quorum != null && !approvers.isEmpty() && quorum > approvers.size()) {
            here.error(
                    fields.value("quorum"),
                    here.field("quorum") + " (" + quorum + ") must not be more than the number of approvers ("
                            + approvers.size() + ")");
        }
        if (policy == ApprovalStage.Policy.ALL && approvers.isEmpty()) {
            here.error(fields.value("policy"), "policy all needs " + here.field("approvers"));
        }
        Duration timeout = fields.duration("timeout", true);
        boolean approveOnTimeout = PolicyReader.choice(fields, here, "onTimeout", List.of("reject", "approve"))
                .equals("approve");
        if (fields.has("onTimeout") && fields.value("timeout") == null) {
            here.error(fields.keyNode("onTimeout"), here.field("onTimeout") + " needs " + here.field("timeout"));
        }
        return new ApprovalStage(base, approvers, policy, quorum == null ? 1 : quorum, timeout, approveOnTimeout);
    }

    /** The names, each once; a repeated one is reported. */
    private List<String> distinct(List<ScalarNode> nodes, String field) {
        List<String> names = new ArrayList<>();
        for (ScalarNode node : nodes) {
            if (names.contains(node.getValue())) {
                scope.error(node, "'" + field + "' lists '" + node.getValue() + "' more than once");
            } else {
                names.add(node.getValue());
            }
        }
        return List.copyOf(names);
    }
}
