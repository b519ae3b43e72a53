package dev.baton.api.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.LogCapture;
import dev.baton.TestBaton;
import dev.baton.TestSecurity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code security.yaml} edited while Baton runs: the next requests honour new keys, removed keys, changed roles and
 * changed passwords without a restart; a broken edit changes nothing and is logged with file:line:column.
 */
class SecurityReloadTest {
    @TempDir
    Path root;

    @Test
    void editsToSecurityYamlAreInForceForTheNextRequestAndABrokenEditKeepsThePreviousOnes() throws Exception {
        try (TestBaton baton = TestBaton.start(root, "agents:\n  echo: {kind: demo}\n", Map.of("hello.yaml", """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: hello}
                spec:
                  pipeline:
                    stages:
                      - {name: greet, agent: echo}
                """));
                LogCapture log = new LogCapture("dev.baton.api.auth.LiveSecurity", Level.INFO, "%p %m%n")) {
            Path file = root.resolve("test-security.yaml");
            assertThat(baton.as("viewer")
                            .post("/api/pipelines/hello/runs", "{}")
                            .status())
                    .isEqualTo(403);
            assertThat(baton.as("alice").get("/api/runs").status()).isEqualTo(200);
            assertThat(bearer(baton, "brand-new-key").status()).isEqualTo(401);
            String ops = "Basic " + java.util.Base64.getEncoder().encodeToString("ops:ops-password".getBytes());
            assertThat(baton.anonymous().get("/api/runs", "Authorization", ops).status())
                    .as("verified, remembered")
                    .isEqualTo(200);

            // viewer becomes a submitter, alice is gone, a new key appears, ops gets another password
            String edited = Files.readString(file)
                    .replace("  viewer: {role: viewer,", "  viewer: {role: submitter,")
                    .replaceAll("(?m)^  alice: .*\n", "")
                    .replace(
                            "apiKeys:\n",
                            "apiKeys:\n  newcomer: {role: admin, sha256: " + Secrets.sha256Hex("brand-new-key") + "}\n")
                    .replaceAll(
                            "(?m)^  ops: \\{role: admin, password: \"[^\"]+\"}",
                            java.util.regex.Matcher.quoteReplacement("  ops: {role: admin, password: \""
                                    + Secrets.hashPassword("new-ops-password", 1000) + "\"}"));
            Files.writeString(file, edited);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> bearer(baton, "brand-new-key").status() == 200);
            assertThat(baton.as("viewer")
                            .post("/api/pipelines/hello/runs", "{}")
                            .status())
                    .isEqualTo(201);
            assertThat(baton.as("alice").get("/api/runs").status())
                    .as("a removed key")
                    .isEqualTo(401);
            assertThat(baton.anonymous().get("/api/runs", "Authorization", ops).status())
                    .as("the old password, though verified before the edit")
                    .isEqualTo(401);
            String newOps = "Basic " + java.util.Base64.getEncoder().encodeToString("ops:new-ops-password".getBytes());
            assertThat(baton.anonymous()
                            .get("/api/runs", "Authorization", newOps)
                            .status())
                    .isEqualTo(200);
            assertThat(log.text())
                    .contains("INFO REST API credentials from " + file + ": " + TestSecurity.IDENTITIES.size()
                            + " API key(s), 2 user(s)");

            // A broken edit: logged with line and column, and the credentials before it stay in force.
            Files.writeString(file, edited.replace("  newcomer: {role: admin,", "  newcomer: {role: boss,"));
            await().atMost(Duration.ofSeconds(30)).until(() -> log.text().contains("not reloaded"));
            assertThat(log.text())
                    .contains("ERROR " + file + ":2:20 apiKeys.newcomer.role 'boss' is unknown; use one "
                            + "of viewer, submitter, approver, admin")
                    .contains("ERROR " + file + " not reloaded: the " + "credentials loaded at ");
            assertThat(bearer(baton, "brand-new-key").status()).isEqualTo(200);
            assertThat(baton.as("alice").get("/api/runs").status()).isEqualTo(401);
            var health = baton.anonymous().get("/api/health");
            assertThat(health.status()).isEqualTo(200);
            assertThat(health.body().path("status").asText()).isEqualTo("DEGRADED");
            assertThat(health.body().at("/parts/security/reason").asText())
                    .startsWith("test-security.yaml: the last "
                            + "edit was not loaded (1 problem(s), logged); the credentials loaded at ")
                    .doesNotContain("boss");

            // Fixed again: in force, and the broken version is not reported twice.
            Files.writeString(file, edited.replace("  newcomer: {role: admin,", "  newcomer: {role: viewer,"));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> bearer(baton, "brand-new-key").status() == 200
                            && baton.anonymous()
                                            .post(
                                                    "/api/pipelines/hello/runs",
                                                    "{}",
                                                    "Authorization",
                                                    "Bearer brand-new-key")
                                            .status()
                                    == 403);
            assertThat(log.text().split("not reloaded", -1)).hasSize(2);
            assertThat(baton.anonymous()
                            .get("/api/health")
                            .body()
                            .at("/parts/security/status")
                            .asText())
                    .isEqualTo("UP");
        }
    }

    private static TestBaton.Response bearer(TestBaton baton, String key) throws Exception {
        return baton.anonymous().get("/api/runs", "Authorization", "Bearer " + key);
    }
}
