package dev.baton.pipeline.load;

import dev.baton.pipeline.Budget;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Set;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/** Reads {@code spec.budget}: the most tokens, and the most US dollars, one run may spend. */
final class BudgetReader {
    private static final Set<String> FIELDS = Set.of("tokens", "costUsd");

    private BudgetReader() {}

    /** The budget, or null when there is none or it has violations (which are reported). */
    static Budget read(Fields spec, Scope scope) {
        MappingNode node = spec.mapping("budget", "must be a mapping like {tokens: 100000} or {costUsd: 2.5}");
        if (node == null) {
            return null;
        }
        Scope here = scope.child("spec.budget");
        Fields fields = new Fields(here, node).allow(FIELDS, Set.of());
        boolean ok = true;
        Long tokens = null;
        Node t = fields.value("tokens");
        if (t != null) {
            tokens = tokens(t);
            if (tokens == null) {
                here.error(t, here.field("tokens") + " must be a whole number of at least 1, not " + text(t));
                ok = false;
            }
        }
        Double cost = null;
        Node c = fields.value("costUsd");
        if (c != null) {
            cost = dollars(c);
            if (cost == null) {
                here.error(c, here.field("costUsd") + " must be a number of US dollars above 0, not " + text(c));
                ok = false;
            }
        }
        if (ok && tokens == null && cost == null) {
            here.error(node, "spec.budget must set tokens, costUsd or both");
            return null;
        }
        return ok ? new Budget(tokens, cost) : null;
    }

    private static Long tokens(Node n) {
        if (n instanceof ScalarNode s && Tag.INT.equals(s.getTag())) {
            try {
                BigInteger v = new BigInteger(s.getValue().strip());
                return v.signum() > 0 && v.bitLength() < 63 ? v.longValue() : null;
            } catch (NumberFormatException e) {
                return null; // hex, octal: not how anyone writes a budget
            }
        }
        return null;
    }

    private static Double dollars(Node n) {
        if (n instanceof ScalarNode s && (Tag.INT.equals(s.getTag()) || Tag.FLOAT.equals(s.getTag()))) {
            try {
                BigDecimal v = new BigDecimal(s.getValue().strip());
                return v.signum() > 0 ? v.doubleValue() : null;
            } catch (NumberFormatException e) {
                return null; // .inf, .nan
            }
        }
        return null;
    }

    private static String text(Node n) {
        return n instanceof ScalarNode s ? "'" + s.getValue() + "'" : Fields.kind(n);
    }
}
