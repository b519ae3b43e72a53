package dev.baton.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.TestBaton;
import dev.baton.TestBaton.Response;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * REST auth over real HTTP: every endpoint of the OpenAPI document called by every role and by nobody; 401 with a
 * challenge, 403 with the wrong role, both problem+json; API keys as Bearer or X-API-Key, HTTP basic.
 */
class ApiSecurityTest {
    @TempDir
    static Path root;

    static TestBaton baton;

    static final String NO_RUN = "00000000-0000-0000-0000-000000000000";

    /** What each operation needs: the documented table, kept here independently of the server's. */
    static final Map<String, String> NEEDS = new LinkedHashMap<>();

    static {
        NEEDS.put("GET /api/health", null);
        NEEDS.put("GET /api/agents", "viewer");
        NEEDS.put("GET /api/metrics", "viewer");
        NEEDS.put("GET /api/pipelines", "viewer");
        NEEDS.put("GET /api/pipelines/{name}", "viewer");
        NEEDS.put("GET /api/pipelines/{name}/revisions", "viewer");
        NEEDS.put("POST /api/pipelines/validate", "submitter");
        NEEDS.put("POST /api/pipelines/{name}/runs", "submitter");
        NEEDS.put("GET /api/runs", "viewer");
        NEEDS.put("GET /api/runs/{id}", "viewer");
        NEEDS.put("GET /api/runs/{id}/history", "viewer");
        NEEDS.put("GET /api/runs/{id}/tickets", "viewer");
        NEEDS.put("GET /api/runs/{id}/events", "viewer");
        NEEDS.put("GET /api/runs/{id}/webhooks", "viewer");
        NEEDS.put("POST /api/runs/{id}/approvals/{stage}", "approver");
        NEEDS.put("POST /api/runs/{id}/cancel", "admin");
        NEEDS.put("POST /api/runs/{id}/rerun", "admin");
        NEEDS.put("POST /api/runs/purge", "admin");
        NEEDS.put("GET /api/dead-letters", "viewer");
        NEEDS.put("GET /api/whoami", "viewer");
        NEEDS.put("GET /api/approvals", "viewer");
        NEEDS.put("GET /api/agents/registry", "viewer");
        NEEDS.put("GET /api/openapi.json", null);
        NEEDS.put("GET /api/schema/pipeline.json", "viewer");
        NEEDS.put("GET /api/schema/agents.json", "viewer");
        NEEDS.put("GET /api/events/stream", "viewer");
    }

    static final List<String> ROLES = List.of("viewer", "submitter", "approver", "admin");

    @BeforeAll
    static void start() throws Exception {
        baton = TestBaton.start(root, "default: {kind: demo}\n", Map.of("greet.yaml", RunApiTest.PIPELINE));
    }

    @AfterAll
    static void stop() {
        if (baton != null) baton.close();
    }

    @Test
    void everyEndpointIsCheckedForEveryRoleAndForNobody() throws Exception {
        JsonNode doc = baton.anonymous().get("/api/openapi.json").body();
        List<String> operations = new ArrayList<>();
        doc.path("paths")
                .fields()
                .forEachRemaining(p -> p.getValue()
                        .fieldNames()
                        .forEachRemaining(m -> operations.add(m.toUpperCase() + " /api" + p.getKey())));
        assertThat(operations)
                .as("the OpenAPI document lists exactly the table's operations")
                .containsExactlyInAnyOrderElementsOf(NEEDS.keySet());

        List<String> wrong = new ArrayList<>();
        int calls = 0;
        for (var op : NEEDS.entrySet()) {
            String method = op.getKey().split(" ")[0];
            String path = op.getKey()
                    .split(" ")[1]
                    .replace("{name}", "greet")
                    .replace("{id}", NO_RUN)
                    .replace("{stage}", "gate");
            String body = path.endsWith("/validate")
                    ? "kind: Pipeline"
                    : path.endsWith("/runs") && method.equals("POST")
                            ? "{\"who\": \"matrix\"}"
                            : path.contains("/approvals/") ? "{\"decision\": \"approve\"}" : "";
            List<String> callers = new ArrayList<>(ROLES);
            callers.add(null);
            for (String caller : callers) {
                if (path.equals(EventStream.PATH) && caller != null) {
                    continue; // an admitted stream stays open for minutes; EventStreamTest covers it
                }
                TestBaton.Caller c = caller == null ? baton.anonymous() : baton.as(caller);
                Response r = method.equals("GET") ? c.get(path) : c.post(path, body);
                calls++;
                String needed = op.getValue();
                int expected;
                if (needed == null) {
                    expected = 0; // anything but 401/403
                } else if (caller == null) {
                    expected = 401;
                } else {
                    expected = ROLES.indexOf(caller) >= ROLES.indexOf(needed) ? 0 : 403;
                }
                boolean ok = expected == 0
                        ? r.status() != 401
                                && r.status() != 403
                                && !r.body().path("detail").asText().startsWith("no resource")
                        : r.status() == expected
                                && r.headers()
                                        .firstValue("Content-Type")
                                        .orElse("")
                                        .equals("application/problem+json");
                if (!ok) {
                    wrong.add(op.getKey() + " as " + caller + ": " + r.status() + " " + r.body());
                }
                if (expected == 401) {
                    assertThat(r.headers().allValues("WWW-Authenticate"))
                            .containsExactly("Bearer realm=\"baton\"", "Basic realm=\"baton\", charset=\"UTF-8\"");
                }
                if (expected == 403) {
                    assertThat(r.body().path("detail").asText())
                            .isEqualTo("'" + caller + "' has role " + caller + "; " + method + " " + path + " needs "
                                    + needed);
                }
            }
        }
        assertThat(wrong).isEmpty();
        assertThat(calls).isEqualTo(NEEDS.size() * 5 - ROLES.size()); // the stream is called without credentials only
    }

    @Test
    void refusedCallsChangeNothing() throws Exception {
        int before = baton.query("SELECT id FROM run").size();
        assertThat(baton.anonymous()
                        .post("/api/pipelines/greet/runs", "{\"who\": \"x\"}")
                        .status())
                .isEqualTo(401);
        assertThat(baton.as("viewer")
                        .post("/api/pipelines/greet/runs", "{\"who\": \"x\"}")
                        .status())
                .isEqualTo(403);
        assertThat(baton.query("SELECT id FROM run")).hasSize(before);
    }

    @Test
    void apiKeysGoAsBearerOrXApiKeyAndUsersAsBasic() throws Exception {
        assertThat(baton.anonymous()
                        .get("/api/runs", "X-API-Key", "test-key-viewer")
                        .status())
                .isEqualTo(200);
        assertThat(baton.anonymous()
                        .get("/api/runs", "Authorization", "bearer test-key-viewer")
                        .status())
                .isEqualTo(200);
        Response unknown = baton.anonymous().get("/api/runs", "Authorization", "Bearer not-a-key");
        assertThat(unknown.status()).isEqualTo(401);
        assertThat(unknown.body().path("detail").asText()).isEqualTo("the API key is not known");
        assertThat(unknown.body().toString()).doesNotContain("not-a-key");
        assertThat(baton.anonymous()
                        .get("/api/runs", "Authorization", "Digest x")
                        .body()
                        .path("detail")
                        .asText())
                .isEqualTo("the Authorization scheme must be Bearer or Basic");

        assertThat(baton.basic("ops", "ops-password")
                        .post("/api/runs/" + NO_RUN + "/cancel", "")
                        .status())
                .as("ops is admin: the run is unknown")
                .isEqualTo(404);
        assertThat(baton.basic("reader", "reader-password")
                        .get("/api/pipelines")
                        .status())
                .isEqualTo(200);
        assertThat(baton.basic("reader", "reader-password")
                        .post("/api/runs/" + NO_RUN + "/cancel", "")
                        .status())
                .isEqualTo(403);
        Response wrong = baton.basic("ops", "guess").get("/api/runs");
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.body().path("detail").asText()).isEqualTo("unknown user or wrong password");
        assertThat(baton.basic("nobody", "guess")
                        .get("/api/runs")
                        .body()
                        .path("detail")
                        .asText())
                .isEqualTo("unknown user or wrong password");
    }

    @Test
    void theCliSendsTheCredentialsOfItsEnvironment() throws Exception {
        String server = "http://127.0.0.1:" + baton.port;
        var none = dev.baton.cli.CliTest.runAs(null, "status", NO_RUN, "--server", server);
        assertThat(none.exit()).isEqualTo(dev.baton.cli.ExitCode.AUTH);
        assertThat(none.err()).contains("401 credentials are required").contains("set BATON_API_KEY");
        var viewer = dev.baton.cli.CliTest.runAs("viewer", "status", NO_RUN, "--server", server);
        assertThat(viewer.err()).contains("404 run '" + NO_RUN + "' does not exist");
        var cancel = dev.baton.cli.CliTest.runAs("viewer", "cancel", NO_RUN, "--server", server);
        assertThat(cancel.exit()).isEqualTo(dev.baton.cli.ExitCode.AUTH);
        assertThat(cancel.err()).contains("403 'viewer' has role viewer");
        var as = dev.baton.cli.CliTest.runAs("alice", "approve", NO_RUN, "gate", "--as", "bob", "--server", server);
        assertThat(as.exit()).isEqualTo(2);
        assertThat(as.err()).contains("--as is gone");
    }

    @Test
    void anIdentityHeaderSentByTheClientIsNotBelieved() throws Exception {
        Response r = baton.anonymous().get("/api/runs", "CamelVertxPlatformHttpAuthenticatedUser", "admin");
        assertThat(r.status()).isEqualTo(401);
    }
}
