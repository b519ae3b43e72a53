package dev.baton.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.TestBaton;
import dev.baton.compile.Endpoints;
import dev.baton.compile.PipelineCompiler;
import dev.baton.compile.PrintedProcessors;
import dev.baton.compile.RouteDump;
import dev.baton.pipeline.AgentCatalog;
import dev.baton.pipeline.Json;
import dev.baton.pipeline.Pipeline;
import dev.baton.pipeline.load.PipelineLoader;
import jakarta.jms.Connection;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A revision's compiled routes are what {@code baton export} prints; they stay while runs pinned to the revision
 * are unfinished and go after; a pinned revision that can no longer be compiled fails its runs, naming it.
 */
class RevisionRoutesTest {
    static final String AGENTS = "agents:\n  outside: {kind: external}\n";

    static String pipeline(String name, String description) {
        return """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: %s, description: "%s"}
                spec:
                  pipeline:
                    stages:
                      - {name: ask, agent: outside, output: "$.answer"}
                """.formatted(name, description);
    }

    static Pipeline load(String text, String file) {
        return PipelineLoader.read(text, file, AgentCatalog.any()).pipeline();
    }

    static long routesOf(CamelContext camel, Pipeline p) {
        String prefix = Endpoints.revisionRoutes(p.name(), p.revision());
        return camel.getRoutes().stream()
                .filter(r -> r.getRouteId().startsWith(prefix))
                .count();
    }

    @Test
    void theExportIsTheRouteModelTheRunningContextHolds(@TempDir Path root) throws Exception {
        String text = Files.readString(Path.of("routes/review-vote.yaml"));
        try (TestBaton baton = TestBaton.start(root, "agents: {}\n", Map.of("review-vote.yaml", text))) {
            Pipeline p = load(text, "routes/review-vote.yaml");
            String running = RouteDump.revision(baton.server.camel(), p);
            String exported;
            try (DefaultCamelContext offline = new DefaultCamelContext()) {
                offline.addRoutes(new PipelineCompiler((n, b, k) -> null, new PrintedProcessors()).revision(p));
                exported = RouteDump.revision(offline, p);
            }
            assertThat(running)
                    .contains("recipientList:", "aggregate:", "choice:")
                    .isEqualTo(exported);
            // and what runs on them does what the file says
            JsonNode run = baton.awaitRun(baton.startRun("review-vote", "{}"), Duration.ofSeconds(60));
            assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
        }
    }

    @Test
    void aRevisionsRoutesStayWhileARunIsPinnedToItAndGoAfter(@TempDir Path root) throws Exception {
        try (TestBaton baton = TestBaton.start(root, AGENTS, Map.of("ext.yaml", pipeline("ext", "first")))) {
            CamelContext camel = baton.server.camel();
            Pipeline first = load(pipeline("ext", "first"), "ext.yaml");
            Pipeline second = load(pipeline("ext", "second"), "ext.yaml");
            String runId = baton.startRun("ext", "{}");
            Files.writeString(root.resolve("routes/ext.yaml"), pipeline("ext", "second"));
            await().atMost(Duration.ofSeconds(30)).until(() -> routesOf(camel, second) > 0);
            assertThat(routesOf(camel, first))
                    .as("the run is pinned to the first revision")
                    .isPositive();
            assertThat(baton.server.retireRevisions(Duration.ZERO)).isEmpty();

            assertThat(baton.post("/api/runs/" + runId + "/cancel", "{}").status())
                    .isEqualTo(200);
            assertThat(baton.server.retireRevisions(Duration.ZERO)).containsExactly("ext@" + first.revision());
            assertThat(routesOf(camel, first)).isZero();
            assertThat(routesOf(camel, second)).isPositive();
        }
    }

    @Test
    void aPinnedRevisionThatNoLongerCompilesFailsItsRunsNamingIt(@TempDir Path root) throws Exception {
        Pipeline first = load(pipeline("gone", "first"), "gone.yaml");
        String runId;
        String ticket;
        try (TestBaton baton = TestBaton.start(root, AGENTS, Map.of("gone.yaml", pipeline("gone", "first")))) {
            runId = baton.startRun("gone", "{}");
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> baton.get("/api/runs/" + runId)
                            .body()
                            .at("/stages/0/tickets/0/status")
                            .asText()
                            .equals("QUEUED"));
            ticket = baton.get("/api/runs/" + runId)
                    .body()
                    .at("/stages/0/tickets/0/id")
                    .asText();
            Files.writeString(root.resolve("routes/gone.yaml"), pipeline("gone", "second"));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> !baton.get("/api/pipelines/gone")
                            .body()
                            .path("revision")
                            .asText()
                            .equals(first.revision()));
            // the stored text of the first revision no longer loads (as after an upgrade that dropped a field)
            try (var c = baton.server.dataSource().getConnection();
                    var st = c.prepareStatement("UPDATE pipeline_revision SET source = ? WHERE revision = ?")) {
                st.setString(1, "apiVersion: baton/v1\nkind: Pipeline\nspec: {pipeline: {stages: [{name: ask}]}}\n");
                st.setString(2, first.revision());
                assertThat(st.executeUpdate()).isEqualTo(1);
                c.commit();
            }
        }
        try (TestBaton baton = TestBaton.restart(root)) {
            // the agent answers its ticket: the reply is applied once, as the run's failure, not redelivered for ever
            try (Connection c = baton.brokerConnections().createConnection()) {
                Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
                TextMessage reply = s.createTextMessage(Json.write(Json.object()
                        .put("ticketId", ticket)
                        .put("attempt", 1)
                        .put("status", "succeeded")
                        .put("output", "late")));
                reply.setJMSCorrelationID(ticket);
                s.createProducer(s.createQueue(Endpoints.RESULTS)).send(reply);
            }
            JsonNode run = baton.awaitRun(runId, Duration.ofSeconds(30));
            assertThat(run.path("status").asText()).isEqualTo("FAILED");
            assertThat(run.path("error").asText())
                    .startsWith("revision " + first.revision().substring(0, 12)
                            + " of pipeline 'gone' can no longer be compiled: ");
            assertThat(run.at("/stages/0/status").asText()).isEqualTo("CANCELLED");
        }
    }
}
