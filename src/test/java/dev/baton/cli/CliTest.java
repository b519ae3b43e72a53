package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.baton.BatonMain;
import dev.baton.TestBaton;
import dev.baton.pipeline.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** The CLI, run as a user would: offline commands on files, client commands against a live server. */
public class CliTest {
    @TempDir
    static Path root;

    static TestBaton baton;

    /** What a command printed and returned. */
    public record Result(int exit, String out, String err) {}

    @BeforeAll
    static void start() throws Exception {
        baton = TestBaton.start(
                root, """
                default: {kind: demo}
                agents:
                  slow: {kind: demo, delay: 300ms}
                  broken: {kind: demo, fail: true}
                """, Map.of("cli.yaml", """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: cli}
                spec:
                  params:
                    who: {required: true}
                  pipeline:
                    stages:
                      - {name: hello, agent: greeter, input: "$.params.who", output: "$.hello"}
                      - {name: only-bob, dependsOn: [hello], condition: 'params.who == "Bob"', agent: greeter}
                """, "watched.yaml", """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: watched}
                spec:
                  params:
                    items: {required: true}
                  pipeline:
                    stages:
                      - {name: first, agent: slow}
                      - {name: fan, dependsOn: [first], agents: [slow, greeter], aggregateStrategy: all}
                      - name: each
                        dependsOn: [fan]
                        dynamic:
                          generator: for_each
                          input: "$.params.items"
                          maxParallel: 2
                          template: {name: "n-{{ item }}", agent: slow}
                """, "breaks.yaml", """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: breaks}
                spec:
                  pipeline:
                    stages:
                      - {name: only, agent: broken}
                """, "paged.yaml", """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: paged}
                spec:
                  pipeline:
                    stages:
                      - {name: only, agent: greeter}
                """));
    }

    @AfterAll
    static void stop() {
        if (baton != null) baton.close();
    }

    /** Runs a command with the test admin's API key in BATON_API_KEY. */
    public static Result run(String... args) {
        return runAs("admin", args);
    }

    /** Runs a command with a test identity's API key in BATON_API_KEY, or none when {@code identity} is null. */
    public static Result runAs(String identity, String... args) {
        return runWith(
                identity == null ? Map.of() : Map.of("BATON_API_KEY", dev.baton.TestSecurity.apiKey(identity)), args);
    }

    /** Runs a command with {@code env} as its whole environment (BATON_SERVER, BATON_API_KEY, ...). */
    public static Result runWith(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = BatonMain.execute(env::get, new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(exit, out.toString(), err.toString());
    }

    private static String server() {
        return "http://127.0.0.1:" + baton.port;
    }

    @Test
    void validateAcceptsTheExamplesAndPrintsEveryProblemOfABrokenFile() throws Exception {
        Result ok = run("validate", "routes/content-review.yaml", "routes/retry-demo.yaml");
        assertThat(ok.exit()).isZero();
        assertThat(ok.out()).contains("routes/content-review.yaml: OK (pipeline 'content-review', 5 stages)");

        Path broken = root.resolve("broken.yaml");
        Files.writeString(broken, """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: broken}
                spec:
                  pipeline:
                    stages:
                      - {name: a, agent: x, dependsOn: [b], timeout: soon}
                      - {name: b, agent: x, dependsOn: [a]}
                """);
        Result bad = run("validate", "--config", root.resolve("config").toString(), broken.toString());
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err().lines())
                .containsExactly(
                        broken + ":7:41 stage 'a': dependsOn forms a cycle: a -> b -> a",
                        broken + ":7:54 stage 'a': 'timeout' must be a duration like 30s, 5m or 1h, not 'soon'");
    }

    @Test
    void dryRunPrintsTheOrderAndTheWavesOfParallelStages() {
        Result r = run("dry-run", "routes/content-review.yaml");
        assertThat(r.exit()).isZero();
        assertThat(r.out())
                .contains("order: research -> outline -> fact-check -> draft -> publish")
                .contains(
                        "schedule: \"0 0 9 ? * MON\" in Europe/Paris, params {\"topic\":\"weekly digest\"}, missed ticks: skip")
                .contains("wave 2:\n  outline                  agent outliner  after research\n"
                        + "  fact-check               agent fact-checker  after research\n");
    }

    @Test
    void submitWaitsForTheRunAndStatusShowsIt() {
        String server = "http://127.0.0.1:" + baton.port;
        Result submitted = run("submit", "cli", "-p", "who=Ada", "--wait", "--server", server);
        assertThat(submitted.exit()).as(submitted.err()).isZero();
        assertThat(submitted.out())
                .contains("pipeline cli  SUCCEEDED")
                .contains("hello")
                .contains("\"Ada\"");

        String id = submitted.out().lines().findFirst().orElseThrow().split(" ")[0]; // printed at once: "ID RUNNING"
        Result status = run("status", id, "--server", server);
        assertThat(status.exit()).isZero();
        assertThat(status.out()).contains("run " + id).contains("SUCCEEDED");
        assertThat(status.out().lines())
                .anySatisfy(line -> assertThat(line)
                        .contains("only-bob")
                        .contains("SKIPPED")
                        .endsWith("(condition is false: params.who == \"Bob\")"));
    }

    @Test
    void clientErrorsHaveDocumentedExitCodes() throws Exception {
        String server = "http://127.0.0.1:" + baton.port;
        Result missing = run("submit", "cli", "--server", server);
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err())
                .contains("400 params do not match pipeline 'cli'")
                .contains("missing required param 'who'");

        Result unknown = run("status", "no-such-run", "--server", server);
        assertThat(unknown.exit()).isEqualTo(ExitCode.NOT_FOUND).isEqualTo(3);
        assertThat(unknown.err()).contains("404 run 'no-such-run' does not exist");
        assertThat(run("cancel", "no-such-run", "--server", server).exit()).isEqualTo(3);
        assertThat(run("submit", "no-such-pipeline", "--server", server).exit()).isEqualTo(3);

        Result down = run("status", "x", "--server", "http://127.0.0.1:" + TestBaton.freePort());
        assertThat(down.exit()).isEqualTo(ExitCode.UNREACHABLE).isEqualTo(5);
        assertThat(down.err()).contains("cannot reach");
        Result watchingNothing = run("status", "x", "--watch", "--server", "http://127.0.0.1:" + TestBaton.freePort());
        assertThat(watchingNothing.exit()).isEqualTo(5);

        Result badUrl = run("status", "x", "--server", "127.0.0.1:8080");
        assertThat(badUrl.exit()).isEqualTo(2);
        assertThat(badUrl.err()).contains("--server '127.0.0.1:8080' is not an http:// or https:// URL");
        Result badOutput = run("status", "x", "--output", "yaml", "--server", server);
        assertThat(badOutput.exit()).isEqualTo(2);
        assertThat(badOutput.err()).contains("--output");
    }

    @Test
    void statusWatchRedrawsEachStageUntilTheRunEndsAndExitsByItsStatus() {
        Result submitted = run("submit", "watched", "-p", "items=[1,2,3,4]", "--server", server());
        assertThat(submitted.exit()).as(submitted.err()).isZero();
        String id = submitted.out().split(" ")[0];

        Result watched = run("status", id, "--watch", "--interval", "0.1", "--timeout", "120", "--server", server());
        assertThat(watched.exit()).as(watched.err()).isEqualTo(ExitCode.OK);
        // Not a terminal: successive plain blocks, separated by a blank line, each only when something changed.
        List<String> blocks = List.of(watched.out().split("\n\n"));
        assertThat(blocks).hasSizeGreaterThan(2);
        assertThat(blocks.get(0)).contains("RUNNING").doesNotContain("\u001b[");
        assertThat(blocks).anySatisfy(b -> assertThat(b).containsPattern("each +RUNNING +\\[#*-+\\] +\\d+% +[0-3]/4"));
        List<String> last = blocks.get(blocks.size() - 1).lines().toList();
        assertThat(last.get(0))
                .startsWith("run " + id + "  pipeline watched  SUCCEEDED  [####################] 100%")
                .contains("elapsed")
                .doesNotContain("ETA");
        assertThat(last.subList(1, last.size()))
                .hasSize(3)
                .allSatisfy(line -> assertThat(line).contains("SUCCEEDED").contains("[####################] 100%"));
        assertThat(last.get(1)).containsPattern("^  first +SUCCEEDED .* 1/1 ");
        assertThat(last.get(2)).containsPattern("^  fan +SUCCEEDED .* 2/2 ");
        assertThat(last.get(3)).containsPattern("^  each +SUCCEEDED .* 4/4 ");

        Result failing = run("submit", "breaks", "--server", server());
        String failed = failing.out().split(" ")[0];
        Result watchedFailure =
                run("status", failed, "-w", "--interval", "0.1", "--timeout", "120", "--server", server());
        assertThat(watchedFailure.exit()).isEqualTo(ExitCode.RUN_FAILED);
        assertThat(watchedFailure.out())
                .contains("pipeline breaks  FAILED")
                .containsPattern("only +FAILED +\\[-{20}\\] +0% +0/1");

        Result gaveUp = run("submit", "watched", "-p", "items=[1]", "--wait", "--timeout", "0", "--server", server());
        assertThat(gaveUp.exit())
                .as("the first stage alone takes 300 ms")
                .isEqualTo(ExitCode.TIMEOUT)
                .isEqualTo(6);
        assertThat(gaveUp.out()).contains("pipeline watched  RUNNING");

        Result badInterval = run("status", id, "--watch", "--interval", "0", "--server", server());
        assertThat(badInterval.exit()).isEqualTo(2);
        assertThat(badInterval.err()).contains("--interval must be from 0.05 to 3600 seconds");
    }

    @Test
    void runsFiltersAndPagesThroughTheServersCursor() throws Exception {
        List<String> started = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            started.add(baton.startRun("paged", "{}"));
        }
        started.forEach(id -> baton.awaitRun(id, Duration.ofSeconds(60)));

        JsonNode first =
                Json.parse(run("runs", "--pipeline", "paged", "--limit", "2", "-o", "json", "--server", server())
                        .out());
        assertThat(first.path("items")).hasSize(2);
        assertThat(first.path("next").isTextual()).as(first.toString()).isTrue();
        JsonNode second = Json.parse(run(
                        "runs",
                        "--pipeline",
                        "paged",
                        "--limit",
                        "2",
                        "--cursor",
                        first.path("next").asText(),
                        "--output",
                        "json",
                        "--server",
                        server())
                .out());
        assertThat(second.path("items")).hasSize(1);
        assertThat(second.path("next").isNull()).isTrue();
        List<String> paged = new ArrayList<>(first.path("items").findValuesAsText("id"));
        paged.addAll(second.path("items").findValuesAsText("id"));
        assertThat(paged).as("every run once").containsExactlyInAnyOrderElementsOf(started);

        Result table = run("runs", "-p", "paged", "-n", "2", "--server", server());
        assertThat(table.exit()).isZero();
        List<String> lines = table.out().lines().toList();
        assertThat(lines).hasSize(4);
        assertThat(lines.get(0))
                .startsWith("RUN")
                .contains("PIPELINE")
                .contains("STATUS")
                .contains("DURATION");
        assertThat(lines.get(1)).startsWith(paged.get(0)).contains("paged").contains("SUCCEEDED");
        assertThat(lines.get(2)).startsWith(paged.get(1)).contains("paged").contains("SUCCEEDED");
        assertThat(lines.get(3))
                .isEqualTo("more: baton runs --pipeline paged --limit 2 --server " + server() + " --cursor "
                        + first.path("next").asText());

        assertThat(run("runs", "--pipeline", "paged", "--status", "failed", "--server", server())
                        .out())
                .isEqualTo("no runs\n");
        Result succeeded =
                run("runs", "--pipeline", "paged", "--status", "SUCCEEDED", "-o", "json", "--server", server());
        assertThat(Json.parse(succeeded.out()).path("items").findValuesAsText("id"))
                .containsExactlyInAnyOrderElementsOf(started);

        Result badStatus = run("runs", "--status", "dancing", "--server", server());
        assertThat(badStatus.exit()).isEqualTo(2);
        assertThat(badStatus.err()).contains("400 status 'DANCING' is unknown");
        Result badLimit = run("runs", "--limit", "0", "--server", server());
        assertThat(badLimit.exit()).isEqualTo(2);
        assertThat(badLimit.err()).contains("--limit must be from 1 to 1000, not 0");
        Result badCursor = run("runs", "--cursor", "nonsense", "--server", server());
        assertThat(badCursor.exit()).isEqualTo(2);
    }

    @Test
    void outputJsonIsTheServersJsonUnchangedAndOneDocument() throws Exception {
        Result submitted = run("submit", "cli", "-p", "who=Ada", "--wait", "--output", "json", "--server", server());
        assertThat(submitted.exit()).as(submitted.err()).isZero();
        JsonNode run = Json.parse(submitted.out());
        assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.path("stages").get(0).path("output").path("input").asText())
                .isEqualTo("Ada");

        String id = run.path("id").asText();
        JsonNode status =
                Json.parse(run("status", id, "-o", "json", "--server", server()).out());
        assertThat(status).isEqualTo(baton.get("/api/runs/" + id).body());
        JsonNode watched = Json.parse(
                run("status", id, "--watch", "-o", "json", "--server", server()).out());
        assertThat(watched).isEqualTo(status);

        JsonNode started = Json.parse(run("submit", "cli", "-p", "who=Bob", "-o", "json", "--server", server())
                .out());
        assertThat(started.path("id").asText()).isNotBlank();
        assertThat(started.path("pipeline").asText()).isEqualTo("cli");

        Result missing = run("status", "no-such-run", "--output", "json", "--server", server());
        assertThat(missing.exit()).isEqualTo(3);
        JsonNode problem = Json.parse(missing.out());
        assertThat(problem.path("status").asInt()).isEqualTo(404);
        assertThat(problem.path("detail").asText()).isEqualTo("run 'no-such-run' does not exist");
    }

    @Test
    void clientCommandsTakeTheServerAndCredentialsFromTheEnvironment() throws Exception {
        List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        HttpServer stub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        stub.createContext("/", exchange -> {
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            seen.add(exchange.getRequestURI() + " " + auth);
            int status = exchange.getRequestURI().getPath().endsWith("/locked")
                    ? 401
                    : exchange.getRequestURI().getPath().endsWith("/busy") ? 503 : 200;
            byte[] body = (status == 200
                            ? "{\"id\": \"r1\", \"pipeline\": \"p\", \"status\": \"SUCCEEDED\", \"stages\": []}"
                            : "{\"status\": " + status + ", \"detail\": \"no\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        stub.start();
        try {
            String url = "http://127.0.0.1:" + stub.getAddress().getPort();
            Result key = runWith(Map.of("BATON_SERVER", url, "BATON_API_KEY", "k-123"), "status", "r1");
            assertThat(key.exit()).as(key.err()).isZero();
            assertThat(key.out()).contains("run r1  pipeline p  SUCCEEDED");
            Result basic = runWith(Map.of("BATON_SERVER", url, "BATON_USER", "ada", "BATON_PASSWORD", "pw"), "runs");
            assertThat(basic.exit()).as(basic.err()).isZero();
            Result flag = runWith(Map.of("BATON_SERVER", "http://127.0.0.1:1"), "status", "r2", "--server", url);
            assertThat(flag.exit()).as("--server wins over BATON_SERVER").isZero();
            assertThat(runWith(Map.of("BATON_SERVER", url), "status", "locked").exit())
                    .isEqualTo(ExitCode.AUTH);
            assertThat(runWith(Map.of("BATON_SERVER", url), "status", "busy").exit())
                    .isEqualTo(ExitCode.UNREACHABLE);
            assertThat(seen)
                    .containsExactly(
                            "/api/runs/r1 Bearer k-123",
                            "/api/runs?limit=20 Basic "
                                    + Base64.getEncoder().encodeToString("ada:pw".getBytes(StandardCharsets.UTF_8)),
                            "/api/runs/r2 null",
                            "/api/runs/locked null",
                            "/api/runs/busy null");
        } finally {
            stub.stop(0);
        }
    }

    @Test
    void exportPrintsTheCompiledRoutesAsLoadableCamelYamlOffline() {
        Result exported = runWith(Map.of("BATON_SERVER", "http://127.0.0.1:1"), "export", "routes/fix-each.yaml");
        assertThat(exported.exit()).as(exported.err()).isZero();
        assertThat(exported.out()).startsWith("# Camel routes of pipeline 'fix-each' revision ");
        Object doc = new Load(LoadSettings.builder().build()).loadFromString(exported.out());
        assertThat(doc).isInstanceOf(List.class);
        Map<String, String> fromById = new java.util.LinkedHashMap<>();
        for (Object item : (List<?>) doc) {
            Map<?, ?> route = (Map<?, ?>) ((Map<?, ?>) item).get("route");
            fromById.put((String) route.get("id"), (String) ((Map<?, ?>) route.get("from")).get("uri"));
        }
        assertThat(fromById).containsEntry("baton-start-fix-each", "direct:baton-start-fix-each");
        assertThat(fromById.keySet())
                .contains(
                        "baton-start-fix-each",
                        "baton-demo-agent-fixer",
                        "baton-demo-heartbeat-fixer",
                        "baton-demo-agent-publisher",
                        "baton-demo-heartbeat-publisher");
        // every other route is a compiled route of the revision: per stage, and the run's end and failure
        List<String> compiled = fromById.keySet().stream()
                .filter(id -> id.startsWith("baton.fix-each."))
                .toList();
        assertThat(fromById).hasSize(5 + compiled.size());
        assertThat(compiled)
                .anyMatch(id -> id.endsWith(".fix.run"))
                .anyMatch(id -> id.endsWith(".fix.ended"))
                .anyMatch(id -> id.endsWith(".publish.join"))
                .anyMatch(id -> id.endsWith(".end"));
        assertThat(exported.out()).contains("split:", "aggregate:", "# stage 'fix' (for_each)");
        assertThat(fromById.get("baton-demo-agent-fixer"))
                .startsWith("jmsagent:queue:baton.agent.fixer?transacted=true");
        assertThat(fromById.get("baton-demo-heartbeat-fixer")).startsWith("timer:");

        Path broken = root.resolve("export-broken.yaml");
        Result bad = run("export", broken.toString());
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains(broken + ": no such file");
        assertThat(bad.out()).isEmpty();
    }
}
