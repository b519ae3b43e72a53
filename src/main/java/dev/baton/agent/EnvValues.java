package dev.baton.agent;

import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code ${env:NAME}} references in registry values: credentials stay in the environment, never in the file. */
final class EnvValues {
    static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern REF = Pattern.compile("\\$\\{env:([^}]*)}");

    private EnvValues() {}

    /** What is wrong with the references in {@code value}, or null. */
    static String check(String value) {
        Matcher m = REF.matcher(value);
        while (m.find()) {
            if (!NAME.matcher(m.group(1)).matches()) {
                return "'" + m.group(0) + "' does not name an environment variable";
            }
        }
        String rest = REF.matcher(value).replaceAll("");
        return rest.contains("${") ? "'${' starts no ${env:NAME} reference; write ${env:NAME}" : null;
    }

    /** The references in {@code value}, resolved; the secrets used are added to {@code secrets}. */
    static String resolve(String value, Function<String, String> env, List<String> secrets) throws AgentFailure {
        Matcher m = REF.matcher(value);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String v = env.apply(m.group(1));
            if (v == null) {
                throw AgentFailure.permanent("environment variable " + m.group(1) + " is not set");
            }
            secrets.add(v);
            m.appendReplacement(sb, Matcher.quoteReplacement(v));
        }
        m.appendTail(sb);
        return sb.toString();
    }
}
