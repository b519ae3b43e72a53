package dev.baton.pipeline.expr;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelErrorCode;
import dev.cel.common.CelIssue;
import dev.cel.common.CelOptions;
import dev.cel.common.CelSourceLocation;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.CelKind;
import dev.cel.common.types.CelTypes;
import dev.cel.common.types.SimpleType;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A CEL expression over the run context, parsed and type-checked once, evaluated many times. */
public final class Expression {
    /** Conditions are one-liners in a pipeline file; anything longer is a mistake or an attack. */
    static final int MAX_SOURCE_LENGTH = 4_096;

    /** Bounds the work of all/exists/exists_one/map/filter in one evaluation, nested ones counted together. */
    static final int MAX_ITERATIONS = 10_000;

    /** Deeper nesting than people write; keeps the parser, checker and interpreter far from a stack overflow. */
    static final int MAX_NESTING = 100;

    private static final CelOptions OPTIONS = CelOptions.current()
            .maxExpressionCodePointSize(MAX_SOURCE_LENGTH)
            .maxParseRecursionDepth(MAX_NESTING)
            .comprehensionMaxIterations(MAX_ITERATIONS)
            // Variables are dyn, so `review.score >= 0.8` must work when the agent wrote 1 instead of 1.0.
            .enableHeterogeneousNumericComparisons(true)
            .build();

    private static final Pattern UNDECLARED =
            Pattern.compile("^(undeclared reference to '[^']*') \\(in container '[^']*'\\)$");
    private static final Pattern EVALUATION_PREFIX = Pattern.compile("^evaluation error(?: at [^:]*:\\d+)?: ");
    private static final Pattern MISSING_KEY = Pattern.compile("^key '(.*)' is not present in map\\.?$");

    private final String source;
    private final Set<String> variables;
    private final CelRuntime.Program program;

    private Expression(String source, Set<String> variables, CelRuntime.Program program) {
        this.source = source;
        this.variables = variables;
        this.program = program;
    }

    /**
     * Parses and type-checks {@code source}; every name in {@code variables} is declared with type dyn.
     *
     * @throws ExpressionException with a one-line reason when the source is too long, does not parse, names
     *     an undeclared variable or cannot yield a boolean
     */
    public static Expression compile(String source, Set<String> variables) throws ExpressionException {
        Objects.requireNonNull(source, "source");
        Set<String> names = Collections.unmodifiableSet(new TreeSet<>(variables));
        int length = source.codePointCount(0, source.length());
        if (length > MAX_SOURCE_LENGTH) {
            throw new ExpressionException(
                    "expression is " + length + " characters long; the limit is " + MAX_SOURCE_LENGTH);
        }
        if (source.isBlank()) {
            throw new ExpressionException("expression is empty");
        }
        // Only the standard library and macros: no extension or custom function can reach I/O or the clock.
        var builder =
                CelFactory.standardCelBuilder().setOptions(OPTIONS).setStandardMacros(CelStandardMacro.STANDARD_MACROS);
        for (String name : names) {
            builder.addVar(name, SimpleType.DYN);
        }
        Cel cel = builder.build();

        CelAbstractSyntaxTree parsed;
        try {
            parsed = cel.parse(source).getAst();
        } catch (CelValidationException e) {
            throw new ExpressionException(
                    "syntax error" + positioned(e.getErrors().get(0)));
        }
        CelAbstractSyntaxTree checked;
        try {
            checked = cel.check(parsed).getAst();
        } catch (CelValidationException e) {
            throw new ExpressionException(checkerReason(e, names));
        }
        CelKind kind = checked.getResultType().kind();
        if (kind != CelKind.BOOL && kind != CelKind.DYN) {
            throw new ExpressionException(
                    "must be a boolean expression, not " + CelTypes.format(checked.getResultType()));
        }
        try {
            return new Expression(source, names, cel.createProgram(checked));
        } catch (CelEvaluationException e) {
            throw new ExpressionException(evaluationReason(e));
        }
    }

    /**
     * Evaluates with the given variables; a declared variable absent from {@code values} is null.
     *
     * @throws ExpressionException with the reason when evaluation fails or the result is not a boolean
     */
    public boolean test(Map<String, JsonNode> values) throws ExpressionException {
        Objects.requireNonNull(values, "values");
        // Converted lazily, and once per evaluation: a comprehension may read a large output many times.
        Map<String, Object> converted = new HashMap<>();
        Object result;
        try {
            result = program.eval(name -> variables.contains(name)
                    ? Optional.of(converted.computeIfAbsent(name, n -> CelValues.of(values.get(n))))
                    : Optional.empty());
        } catch (CelEvaluationException e) {
            throw new ExpressionException(evaluationReason(e));
        }
        if (result instanceof Boolean b) {
            return b;
        }
        throw new ExpressionException("result is not a boolean but " + CelValues.typeName(result));
    }

    public String source() {
        return source;
    }

    @Override
    public String toString() {
        return source;
    }

    private static String checkerReason(CelValidationException e, Set<String> names) {
        CelIssue issue = e.getErrors().get(0);
        Matcher undeclared = UNDECLARED.matcher(issue.getMessage());
        if (undeclared.matches()) {
            // CEL names its container, which we never set; the names the author could have meant help more.
            return undeclared.group(1)
                    + (names.isEmpty() ? " (no variables are declared)" : " (known: " + String.join(", ", names) + ")");
        }
        return issue.getMessage();
    }

    /** The issue as ` at column C: message`; CEL counts columns from 0, people from 1. */
    private static String positioned(CelIssue issue) {
        CelSourceLocation at = issue.getSourceLocation();
        if (at.getLine() < 1 || at.getColumn() < 0) {
            return ": " + issue.getMessage();
        }
        String position = at.getLine() == 1
                ? "column " + (at.getColumn() + 1)
                : "line " + at.getLine() + ", column " + (at.getColumn() + 1);
        return " at " + position + ": " + issue.getMessage();
    }

    private static String evaluationReason(CelEvaluationException e) {
        if (e.getErrorCode() == CelErrorCode.ITERATION_BUDGET_EXCEEDED) {
            return "more than " + MAX_ITERATIONS + " iterations of all/exists/exists_one/map/filter in one evaluation";
        }
        String reason =
                EVALUATION_PREFIX.matcher(String.valueOf(e.getMessage())).replaceFirst("");
        Matcher missing = MISSING_KEY.matcher(reason);
        if (missing.matches()) {
            return "no such key: " + missing.group(1);
        }
        if (reason.endsWith(".")) {
            reason = reason.substring(0, reason.length() - 1);
        }
        return reason.isEmpty() ? reason : Character.toLowerCase(reason.charAt(0)) + reason.substring(1);
    }
}
