package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.BatonMain;
import dev.baton.TestBaton;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI, run as a user would: offline commands on files, client commands against a live server. */
public class CliTest {
    @TempDir
    static Path root;

    static TestBaton baton;

    /** What a command printed and returned. */
    public record Result(int exit, String out, String err) {}

    @BeforeAll
    static void start() throws Exception {
        baton = TestBaton.start(root, "default: {kind: demo}\n", Map.of("cli.yaml", """
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
        String key = identity == null ? null : dev.baton.TestSecurity.apiKey(identity);
        ClientCredentials.readFrom(name -> name.equals("BATON_API_KEY") ? key : null);
        try {
            return execute(args);
        } finally {
            ClientCredentials.readFrom(null);
        }
    }

    private static Result execute(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = BatonMain.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(exit, out.toString(), err.toString());
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
        assertThat(bad.err().lines()).containsExactly(
                broken + ":7:41 stage 'a': dependsOn forms a cycle: a -> b -> a",
                broken + ":7:54 stage 'a': 'timeout' must be a duration like 30s, 5m or 1h, not 'soon'");
    }

    @Test
    void dryRunPrintsTheOrderAndTheWavesOfParallelStages() {
        Result r = run("dry-run", "routes/content-review.yaml");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("order: research -> outline -> fact-check -> draft -> publish")
                .contains("schedule: \"0 0 9 ? * MON\" in Europe/Paris, params {\"topic\":\"weekly digest\"}, missed ticks: skip")
                .contains("wave 2:\n  outline                  agent outliner  after research\n"
                        + "  fact-check               agent fact-checker  after research\n");
    }

    @Test
    void submitWaitsForTheRunAndStatusShowsIt() {
        String server = "http://127.0.0.1:" + baton.port;
        Result submitted = run("submit", "cli", "-p", "who=Ada", "--wait", "--server", server);
        assertThat(submitted.exit()).as(submitted.err()).isZero();
        assertThat(submitted.out()).contains("pipeline cli  SUCCEEDED").contains("hello").contains("\"Ada\"");

        String id = submitted.out().lines().findFirst().orElseThrow().split(" ")[1];
        Result status = run("status", id, "--server", server);
        assertThat(status.exit()).isZero();
        assertThat(status.out()).contains("run " + id).contains("SUCCEEDED");
        assertThat(status.out().lines()).anySatisfy(line -> assertThat(line).contains("only-bob").contains("SKIPPED")
                .endsWith("(condition is false: params.who == \"Bob\")"));
    }

    @Test
    void clientErrorsHaveDocumentedExitCodes() throws Exception {
        String server = "http://127.0.0.1:" + baton.port;
        Result missing = run("submit", "cli", "--server", server);
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("400 params do not match pipeline 'cli'").contains("missing required param 'who'");

        Result unknown = run("status", "no-such-run", "--server", server);
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("404 run 'no-such-run' does not exist");

        Result down = run("status", "x", "--server", "http://127.0.0.1:" + TestBaton.freePort());
        assertThat(down.exit()).isEqualTo(3);
        assertThat(down.err()).contains("cannot reach");
    }
}
