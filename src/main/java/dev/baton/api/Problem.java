package dev.baton.api;

import java.util.List;

/** An error answered as {@code application/problem+json} (RFC 9457), with every problem listed. */
public class Problem extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String title;
    private final List<String> errors;
    private final java.util.Map<String, com.fasterxml.jackson.databind.JsonNode> extensions =
            new java.util.LinkedHashMap<>();

    public Problem(int status, String title, String detail, List<String> errors) {
        super(detail);
        this.status = status;
        this.title = title;
        this.errors = List.copyOf(errors);
    }

    public static Problem notFound(String detail) {
        return new Problem(404, "Not Found", detail, List.of());
    }

    /**
     * A failure nobody anticipated (a database error, a bug): the client learns only that it failed and an error id;
     * the cause, which may carry SQL, table names or values, goes to the server log under that id.
     */
    public static Problem unexpected(org.slf4j.Logger log, Throwable cause) {
        String id = java.util.UUID.randomUUID().toString();
        log.error("request failed, error id {}: {}", id, cause == null ? "(no cause)" : cause.toString(), cause);
        return new Problem(
                        500,
                        "Internal Server Error",
                        "the request failed unexpectedly; the server log has the " + "cause under error id " + id,
                        List.of())
                .with("errorId", com.fasterxml.jackson.databind.node.TextNode.valueOf(id));
    }

    public static Problem badRequest(String detail, List<String> errors) {
        return new Problem(400, "Bad Request", detail, errors);
    }

    /** Adds an extension member (RFC 9457 §3.2), such as the outcome a late decision lost to. */
    public Problem with(String name, com.fasterxml.jackson.databind.JsonNode value) {
        extensions.put(name, value);
        return this;
    }

    public java.util.Map<String, com.fasterxml.jackson.databind.JsonNode> extensions() {
        return java.util.Collections.unmodifiableMap(extensions);
    }

    /** The RFC 9457 body: type, title, status, detail, errors and the extension members. */
    public com.fasterxml.jackson.databind.node.ObjectNode toJson() {
        var body = dev.baton.pipeline.Json.object()
                .put("type", "about:blank")
                .put("title", title)
                .put("status", status)
                .put("detail", getMessage());
        var list = body.putArray("errors");
        errors.forEach(list::add);
        extensions.forEach(body::set);
        return body;
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    public List<String> errors() {
        return errors;
    }
}
