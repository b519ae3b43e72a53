package dev.baton.pipeline.validate;

import com.jayway.jsonpath.InvalidPathException;
import com.jayway.jsonpath.JsonPath;
import dev.baton.pipeline.ForEachStage;
import dev.baton.pipeline.MultiAgentStage;
import dev.baton.pipeline.Stage;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.regex.Pattern;

/** The rules on the JSONPaths a stage reads through and the path its output is written to. */
final class PathRules {
    private static final Pattern OUTPUT = Pattern.compile("\\$(\\.[A-Za-z_][A-Za-z0-9_-]*)+");

    private PathRules() {}

    /** Checks stage {@code i}'s paths and output. */
    static void check(Body b, int i) {
        checkPaths(b, i);
        checkOutput(b, i);
    }

    /** The JSONPaths a stage reads through: its input, a for_each's items, a compensation's input, a ballot. */
    private static void checkPaths(Body b, int i) {
        Stage stage = b.stages().get(i);
        checkPath(b, i, "input", stage.base().input());
        if (stage instanceof ForEachStage s) {
            checkPath(b, i, "dynamic.input", s.items());
        }
        if (stage instanceof MultiAgentStage s) {
            checkPath(b, i, "voteOn", s.voteOn());
        }
        if (stage.base().compensate() != null) {
            checkPath(b, i, "compensate.input", stage.base().compensate().input());
        }
    }

    private static void checkPath(Body b, int i, String field, String path) {
        if (path == null) {
            return;
        }
        String invalid = field + " '" + path + "' is not a valid JSONPath: ";
        // Jayway quietly prefixes "$." to relative paths; a pipeline must say where it reads from.
        if (!path.startsWith("$")) {
            b.report(i, field, invalid + "it must start with $");
            return;
        }
        String unbalanced = unbalanced(path);
        if (unbalanced != null) {
            b.report(i, field, invalid + unbalanced);
            return;
        }
        try {
            JsonPath.compile(path);
        } catch (InvalidPathException | IllegalArgumentException e) {
            b.report(i, field, invalid + e.getMessage().strip());
        }
    }

    /** Jayway accepts some unclosed brackets (such as a trailing '['), so brackets are counted here first. */
    private static String unbalanced(String path) {
        Deque<Character> open = new ArrayDeque<>();
        char quote = 0;
        for (int k = 0; k < path.length(); k++) {
            char c = path.charAt(k);
            if (quote != 0) {
                quote = c == quote && path.charAt(k - 1) != '\\' ? 0 : quote;
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '[' || c == '(') {
                open.push(c);
            } else if (c == ']' || c == ')') {
                char expected = c == ']' ? '[' : '(';
                if (open.isEmpty() || open.pop() != expected) {
                    return "'" + c + "' at position " + k + " has no matching '" + expected + "'";
                }
            }
        }
        if (quote != 0) {
            return "a quote is not closed";
        }
        return open.isEmpty() ? null : "'" + open.peek() + "' is not closed";
    }

    private static void checkOutput(Body b, int i) {
        String output = b.stages().get(i).base().output();
        if (output == null) {
            return;
        }
        if (!OUTPUT.matcher(output).matches()) {
            b.report(
                    i, "output", "output '" + output + "' must be a path of names like $.research or $.review.summary");
        } else if (output.equals("$.params") || output.startsWith("$.params.")) {
            b.report(i, "output", "output '" + output + "' must not be under $.params, which holds the run's params");
        }
    }
}
