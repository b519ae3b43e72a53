package dev.baton.api.auth;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The one table of who may call what under {@code /api}: the first rule whose method and path match decides;
 * any other GET needs {@code viewer} and anything else {@code admin}, so an endpoint added later is covered.
 */
public final class AccessTable {
    /** A rule; a null role means anyone, without credentials. */
    public record Rule(String method, Pattern path, Role role, String pathTemplate) {}

    private static final String SEGMENT = "[^/]+";

    /** In order; the OpenAPI document and the README list the same. */
    public static final List<Rule> RULES = List.of(
            rule("GET", "/api/health", null),
            rule("GET", "/api/openapi.json", null),
            rule("POST", "/api/pipelines/validate", Role.SUBMITTER),
            rule("POST", "/api/pipelines/{name}/runs", Role.SUBMITTER),
            rule("POST", "/api/runs/{id}/approvals/{stage}", Role.APPROVER),
            rule("POST", "/api/runs/{id}/cancel", Role.ADMIN),
            rule("POST", "/api/runs/{id}/rerun", Role.ADMIN),
            rule("POST", "/api/runs/purge", Role.ADMIN));

    private AccessTable() {}

    private static Rule rule(String method, String template, Role role) {
        String regex = Pattern.quote(template).replaceAll("\\{[a-z]+\\}", "\\\\E" + SEGMENT + "\\\\Q");
        return new Rule(method, Pattern.compile(regex + "/?"), role, template);
    }

    /** The role a request needs; empty when it needs no credentials. */
    public static Optional<Role> required(String method, String path) {
        for (Rule r : RULES) {
            if (r.method().equals(method) && r.path().matcher(path).matches()) {
                return Optional.ofNullable(r.role());
            }
        }
        return Optional.of(method.equals("GET") || method.equals("HEAD") ? Role.VIEWER : Role.ADMIN);
    }
}
