package dev.baton.cli;

import static dev.baton.cli.CliTest.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.TestBaton;
import dev.baton.cli.CliTest.Result;
import dev.baton.compile.Endpoints;
import dev.baton.pipeline.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commands of the CLI beyond submit and status, against a live Baton whose routes/ the tests also edit. */
class CliCommandsTest {
    @TempDir
    static Path root;

    static TestBaton baton;

    static final String GREET = """
            apiVersion: baton/v1
            kind: Pipeline
            metadata: {name: greet, description: Says hello}
            spec:
              params:
                who: {required: true}
                tone: {default: warm}
              schedule: {cron: "0 0 9 * * ? 2099", params: {who: nobody}}
              pipeline:
                stages:
                  - {name: hello, agent: greeter, input: "$.params", output: "$.hello"}
                  - {name: only-bob, dependsOn: [hello], condition: 'params.who == "Bob"', agent: greeter}
            """;

    @BeforeAll
    static void start() throws Exception {
        baton = TestBaton.start(
                root,
                "default: {kind: demo}\n",
                Map.of(
                        "greet.yaml",
                        GREET,
                        "gated.yaml",
                        """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: gated}
                spec:
                  pipeline:
                    stages:
                      - {name: before, agent: greeter}
                      - {name: gate, dependsOn: [before], approval: {approvers: [admin], policy: any, timeout: 1h}}
                      - {name: after, dependsOn: [gate], agent: greeter}
                """,
                        "orchestra.yaml",
                        Files.readString(Path.of("src/test/resources/pipelines/valid/orchestra-params.yaml"))));
    }

    @AfterAll
    static void stop() {
        if (baton != null) baton.close();
    }

    private static String server() {
        return "http://127.0.0.1:" + baton.port;
    }

    private static Result cli(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--server");
        all.add(server());
        return run(all.toArray(String[]::new));
    }

    private static String sha256(String text) throws Exception {
        return HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void pipelinesListsWhatIsLoadedAndShowGivesParamsWavesScheduleAndRevisions() throws Exception {
        Result list = cli("pipelines");
        assertThat(list.exit()).as(list.err()).isZero();
        assertThat(list.out().lines().findFirst().orElseThrow())
                .startsWith("NAME")
                .contains("STAGES")
                .contains("SCHEDULE");
        assertThat(list.out().lines())
                .anySatisfy(line -> assertThat(line)
                        .matches("greet +2 +who\\*, tone=warm +0 0 9 \\* \\* \\? 2099 +"
                                + sha256(GREET).substring(0, 12) + " +.*greet.yaml"));
        JsonNode json = Json.parse(cli("pipelines", "-o", "json").out());
        assertThat(json).isEqualTo(baton.get("/api/pipelines").body());

        Result show = cli("pipelines", "show", "greet");
        assertThat(show.exit()).as(show.err()).isZero();
        assertThat(show.out())
                .contains("pipeline greet  revision " + sha256(GREET).substring(0, 12))
                .contains("  Says hello\n")
                .contains("params: who*, tone=warm  (* required)\n")
                .contains("wave 1:\n  hello                    agent     greeter\n")
                .contains("wave 2:\n  only-bob                 agent     greeter  after hello\n")
                .contains("schedule: \"0 0 9 * * ? 2099\" in ")
                .contains("next 2099-01-01T");
        assertThat(show.out())
                .containsPattern("revisions \\(newest first\\):\n  \\* "
                        + sha256(GREET).substring(0, 12) + "  loaded \\S+  from \\S*greet.yaml\n");
        JsonNode shown =
                Json.parse(cli("pipelines", "show", "greet", "-o", "json").out());
        assertThat(shown.path("revisions"))
                .isEqualTo(baton.get("/api/pipelines/greet/revisions").body());
        assertThat(shown.path("params").path("tone").path("default").asText()).isEqualTo("warm");

        Result missing = cli("pipelines", "show", "no-such");
        assertThat(missing.exit()).isEqualTo(ExitCode.NOT_FOUND);
        assertThat(missing.err()).contains("404 pipeline 'no-such' is not loaded");
        assertThat(CliTest.runAs(null, "pipelines", "--server", server()).exit())
                .isEqualTo(ExitCode.AUTH);
    }

    @Test
    void valuesFileGivesParamsAndEachDashPWinsOverIt() throws Exception {
        Path yaml = root.resolve("values.yaml");
        Files.writeString(yaml, "who: Ada\ntone: {level: 3}\n");
        Result started = cli("submit", "greet", "--values", yaml.toString(), "-p", "tone=dry", "--wait");
        assertThat(started.exit()).as(started.err()).isZero();
        String id = started.out().split(" ")[0];
        assertThat(baton.get("/api/runs/" + id).body().path("params"))
                .isEqualTo(Json.parse("{\"who\": \"Ada\", \"tone\": \"dry\"}"));

        Path json = root.resolve("values.json");
        Files.writeString(json, "{\"who\": \"Bob\", \"tone\": [1, 2]}");
        Result fromJson = cli("submit", "greet", "--values", json.toString(), "--wait");
        assertThat(fromJson.exit()).as(fromJson.err()).isZero();
        String bob = fromJson.out().split(" ")[0];
        assertThat(baton.get("/api/runs/" + bob).body().path("params"))
                .isEqualTo(Json.parse("{\"who\": \"Bob\", \"tone\": [1, 2]}"));

        Path list = root.resolve("list.yaml");
        Files.writeString(list, "- who\n- Ada\n");
        Result notAMap = cli("submit", "greet", "--values", list.toString());
        assertThat(notAMap.exit()).isEqualTo(ExitCode.INVALID);
        assertThat(notAMap.err()).contains("--values " + list + " must hold a mapping of param names to values");
        Path broken = root.resolve("broken.yaml");
        Files.writeString(broken, "who: [Ada\n");
        assertThat(cli("submit", "greet", "--values", broken.toString()).err())
                .contains("--values " + broken + " is not valid YAML or JSON");
        Result absent =
                cli("submit", "greet", "--values", root.resolve("nope.yaml").toString());
        assertThat(absent.exit()).isEqualTo(ExitCode.INVALID);
        assertThat(absent.err()).contains("--values " + root.resolve("nope.yaml") + ": no such file");
        Result unknown = cli("submit", "greet", "--values", yaml.toString(), "-p", "colour=red");
        assertThat(unknown.exit()).isEqualTo(ExitCode.INVALID);
        assertThat(unknown.err()).contains("unknown param 'colour'; declared params are tone, who");
    }

    @Test
    void submitWaitPrintsTheRunIdAtOnceThenTheRunWhenItEnds() {
        Result r = cli("submit", "greet", "-p", "who=Ada", "--wait");
        assertThat(r.exit()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines.get(0)).matches("[0-9a-f-]{36} RUNNING");
        String id = lines.get(0).split(" ")[0];
        assertThat(lines.get(1)).isEqualTo("run " + id + "  pipeline greet  SUCCEEDED");

        Result json = cli("submit", "greet", "-p", "who=Ada", "--wait", "-o", "json");
        assertThat(json.exit()).as(json.err()).isZero();
        JsonNode done = Json.parse(json.out()); // still one document on stdout
        assertThat(json.err()).isEqualTo("baton: started run " + done.path("id").asText() + "\n");
    }

    @Test
    void submitAFileRunsItOnlyAsTheRevisionTheServerLoadedAndWaitsForAReload() throws Exception {
        Path loaded = root.resolve("routes/greet.yaml");
        Result same = cli("submit", loaded.toString(), "-p", "who=Ada");
        assertThat(same.exit()).as(same.err()).isZero();
        String id = same.out().split(" ")[0];
        assertThat(baton.get("/api/runs/" + id).body().path("revision").asText())
                .isEqualTo(sha256(GREET));

        // A copy elsewhere that differs from what the server runs is refused, saying why and what to do.
        Path elsewhere = root.resolve("greet-edited.yaml");
        Files.writeString(elsewhere, GREET.replace("Says hello", "Says hello again"));
        Result other = cli("submit", elsewhere.toString(), "-p", "who=Ada", "--reload-timeout", "0");
        assertThat(other.exit()).isEqualTo(ExitCode.INVALID);
        assertThat(other.err())
                .contains(elsewhere + " is not what the server runs as pipeline 'greet': the server has " + "revision "
                        + sha256(GREET).substring(0, 12))
                .contains("the file is revision "
                        + sha256(Files.readString(elsewhere)).substring(0, 12))
                .contains("copy " + elsewhere + " there");

        // Invalid: the server's own validation, with the file's name in every line.
        Path invalid = root.resolve("invalid.yaml");
        Files.writeString(
                invalid,
                "apiVersion: baton/v1\nkind: Pipeline\nmetadata: {name: bad}\nspec:\n  pipeline:\n"
                        + "    stages:\n      - {name: a, agent: x, timeout: soon}\n");
        Result bad = cli("submit", invalid.toString());
        assertThat(bad.exit()).isEqualTo(ExitCode.INVALID);
        assertThat(bad.err())
                .contains("422 the pipeline is not valid: 1 problem")
                .contains("  " + invalid
                        + ":7:38 stage 'a': 'timeout' must be a duration like 30s, 5m or 1h, not 'soon'");
        Result none = cli("submit", root.resolve("missing.yaml").toString());
        assertThat(none.exit()).isEqualTo(ExitCode.INVALID);
        assertThat(none.err()).contains(root.resolve("missing.yaml") + ": no such file");

        // A valid file the server has no pipeline for.
        Path stray = root.resolve("stray.yaml");
        Files.writeString(stray, GREET.replace("name: greet", "name: stray"));
        Result unknown = cli("submit", stray.toString(), "--reload-timeout", "0");
        assertThat(unknown.exit()).isEqualTo(ExitCode.NOT_FOUND);
        assertThat(unknown.err()).contains(stray + " is valid, but the server has no pipeline 'stray'");

        // Saved into routes/ and submitted at once: the submit waits for the reload and runs the new text.
        Path fresh = root.resolve("routes/fresh.yaml");
        String text = GREET.replace("name: greet", "name: fresh");
        Files.writeString(fresh, text);
        Result waited = cli("submit", fresh.toString(), "-p", "who=Bob", "--wait", "--reload-timeout", "120");
        assertThat(waited.exit()).as(waited.err()).isZero();
        String freshRun = waited.out().split(" ")[0];
        assertThat(baton.get("/api/runs/" + freshRun).body().path("revision").asText())
                .isEqualTo(sha256(text));
    }

    @Test
    void historyAndEventsShowEveryTransitionAsTheServerHasThem() throws Exception {
        String id = baton.startRun("greet", "{\"who\": \"Bob\"}");
        baton.awaitRun(id, Duration.ofSeconds(60));

        JsonNode history = Json.parse(cli("history", id, "-o", "json").out());
        assertThat(history).isEqualTo(baton.get("/api/runs/" + id + "/history").body());
        Result table = cli("history", id);
        assertThat(table.exit()).isZero();
        List<String> lines = table.out().lines().toList();
        assertThat(lines).hasSize(history.size() + 1);
        assertThat(lines.get(0)).startsWith("SEQ").contains("STATUS").contains("DETAIL");
        assertThat(lines.get(1)).startsWith("1 ").contains("RUN_RUNNING");
        assertThat(lines.get(lines.size() - 1)).contains("RUN_SUCCEEDED");

        JsonNode events = Json.parse(cli("events", id, "-o", "json").out());
        assertThat(events).isEqualTo(baton.get("/api/runs/" + id + "/events").body());
        Result text = cli("events", id);
        assertThat(text.out().lines()).hasSize(events.size());
        assertThat(text.out().lines().toList().get(events.size() - 1)).containsPattern(" +\\d+ run +SUCCEEDED");
        Result followEnded = cli("events", id, "--follow");
        assertThat(followEnded.exit())
                .as("an ended run: the events, then the exit of its status")
                .isZero();
        assertThat(followEnded.out()).isEqualTo(text.out());

        assertThat(cli("history", "no-such-run").exit()).isEqualTo(ExitCode.NOT_FOUND);
        assertThat(cli("events", "no-such-run", "--follow").exit()).isEqualTo(ExitCode.NOT_FOUND);
    }

    @Test
    void eventsFollowPrintsEachEventOnceAsItHappensUntilTheRunEnds() throws Exception {
        String id = baton.startRun("gated", "{}");
        await().atMost(Duration.ofSeconds(60))
                .until(() -> baton.get("/api/runs/" + id)
                        .body()
                        .path("stages")
                        .toString()
                        .contains("WAITING_APPROVAL"));
        int streamsBefore = baton.server.events().open();
        CompletableFuture<Result> following = CompletableFuture.supplyAsync(() -> cli("events", id, "--follow"));
        await().atMost(Duration.ofSeconds(30)).until(() -> baton.server.events().open() > streamsBefore);
        assertThat(following).as("the run waits for a person").isNotDone();

        TestBaton.Response decided = baton.post("/api/runs/" + id + "/approvals/gate", "{\"decision\": \"approve\"}");
        assertThat(decided.status()).as(decided.body().toString()).isEqualTo(200);
        Result followed = following.get(60, java.util.concurrent.TimeUnit.SECONDS);

        assertThat(followed.exit()).as(followed.err()).isZero();
        JsonNode events = baton.get("/api/runs/" + id + "/events").body();
        List<String> lines = followed.out().lines().toList();
        assertThat(lines).as("every event once, in order").hasSize(events.size());
        for (int i = 0; i < lines.size(); i++) {
            assertThat(lines.get(i))
                    .startsWith(events.get(i).path("at").asText() + " " + String.format("%5d", i + 1) + " ");
        }
        assertThat(followed.out()).contains("stage=gate").contains("by=admin").containsPattern("run +SUCCEEDED");
        await().atMost(Duration.ofSeconds(10)).until(() -> baton.server.events().open() == streamsBefore);

        String json = baton.startRun("gated", "{}");
        CompletableFuture<Result> lined = CompletableFuture.supplyAsync(() -> cli("events", json, "-f", "-o", "json"));
        await().atMost(Duration.ofSeconds(60))
                .until(() -> baton.get("/api/runs/" + json)
                        .body()
                        .path("stages")
                        .toString()
                        .contains("WAITING_APPROVAL"));
        baton.post("/api/runs/" + json + "/approvals/gate", "{\"decision\": \"reject\"}");
        Result rejected = lined.get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(rejected.exit()).as("the run FAILED").isEqualTo(ExitCode.RUN_FAILED);
        List<JsonNode> each = rejected.out().lines().map(Json::parse).toList();
        assertThat(each)
                .as("one JSON event a line")
                .hasSize(baton.get("/api/runs/" + json + "/events").body().size());
        assertThat(each.get(each.size() - 1).path("type").asText()).isEqualTo("run");
    }

    @Test
    void deadLettersListsWhatTheQueueHoldsWithoutConsumingIt() throws Exception {
        try (var c = baton.brokerConnections().createConnection()) {
            var session = c.createSession(false, jakarta.jms.Session.AUTO_ACKNOWLEDGE);
            var message = session.createTextMessage("{\"ticketId\": \"lost-one\"}");
            message.setJMSCorrelationID("corr-42");
            session.createProducer(session.createQueue(Endpoints.DEAD_LETTERS)).send(message);
        }
        Result listed = cli("dead-letters");
        assertThat(listed.exit()).as(listed.err()).isZero();
        assertThat(listed.out().lines().findFirst().orElseThrow())
                .startsWith("AT")
                .contains("REASON")
                .contains("BODY");
        assertThat(listed.out())
                .contains("sent to " + Endpoints.DEAD_LETTERS + " directly")
                .contains("corr-42")
                .contains("{\"ticketId\": \"lost-one\"}")
                .contains("1 shown of 1 on the queue");
        JsonNode json = Json.parse(cli("dead-letters", "-o", "json").out());
        assertThat(json.path("count").asInt()).as("browsing consumed nothing").isEqualTo(1);
        assertThat(json.path("items").get(0).path("correlationId").asText()).isEqualTo("corr-42");

        Result badLimit = cli("dead-letters", "--limit", "0");
        assertThat(badLimit.exit()).isEqualTo(ExitCode.INVALID);
        assertThat(badLimit.err()).contains("--limit must be from 1 to 1000, not 0");
    }

    @Test
    void initWritesAStarterThatTheServerLoadsAndRunsAndNeverOverwrites() throws Exception {
        Path routes = root.resolve("routes");
        Result init = run(
                "init",
                "starter",
                "--routes",
                routes.toString(),
                "--config",
                root.resolve("config").toString());
        assertThat(init.exit()).as(init.err()).isZero();
        Path file = routes.resolve("starter.yaml");
        assertThat(init.out()).startsWith("wrote " + file + ": pipeline 'starter', 4 stages");
        String text = Files.readString(file);
        assertThat(text)
                .startsWith("# starter: a starter pipeline written by `baton init starter`")
                .contains("  name: starter\n")
                .contains("kind: demo");
        assertThat(run("validate", file.toString()).exit()).isZero();

        Result started = cli("submit", file.toString(), "-p", "topic=queues", "--wait", "--reload-timeout", "120");
        assertThat(started.exit()).as(started.err() + started.out()).isZero();
        assertThat(started.out()).containsPattern("review +SUCCEEDED").containsPattern("rewrite +SKIPPED");

        Result again = run("init", "starter", "--routes", routes.toString());
        assertThat(again.exit()).isEqualTo(ExitCode.INVALID);
        assertThat(again.err()).contains(file + " already exists; it is left as it is");
        assertThat(Files.readString(file)).isEqualTo(text);
        Result badName = run("init", "Not_A_Name", "--routes", routes.toString());
        assertThat(badName.exit()).isEqualTo(ExitCode.INVALID);
        assertThat(badName.err())
                .contains("pipeline name 'Not_A_Name' must be 1 to 63 lower-case letters, digits and '-'");
        assertThat(routes.resolve("Not_A_Name.yaml")).doesNotExist();
    }

    @Test
    void dryRunChecksParamsAsARunWouldAndDecidesConditionsThatReadOnlyParams() throws Exception {
        Path file = root.resolve("routes/greet.yaml");
        String config = root.resolve("config").toString();
        Result plain = run("dry-run", file.toString(), "--config", config);
        assertThat(plain.exit()).isZero();
        assertThat(plain.out())
                .contains("params: who (required), tone (default \"warm\")\n")
                .doesNotContain("run params");

        Result bob = run("dry-run", file.toString(), "--config", config, "-p", "who=Bob");
        assertThat(bob.exit()).as(bob.err()).isZero();
        assertThat(bob.out())
                .contains("run params: {\"who\":\"Bob\",\"tone\":\"warm\"}\n"
                        + "  only-bob                 runs: params.who == \"Bob\"\n");
        Path values = root.resolve("ada.yaml");
        Files.writeString(values, "who: Ada\ntone: cold\n");
        assertThat(run("dry-run", file.toString(), "--config", config, "--values", values.toString())
                        .out())
                .contains("run params: {\"who\":\"Ada\",\"tone\":\"cold\"}\n"
                        + "  only-bob                 SKIPPED: condition is false: params.who == \"Bob\"\n");

        Result missing = run("dry-run", file.toString(), "--config", config, "-p", "tone=x");
        assertThat(missing.exit()).isEqualTo(ExitCode.INVALID);
        assertThat(missing.err())
                .isEqualTo("baton: params do not match pipeline 'greet':\n  missing required param 'who'\n");
        Result unknown = run("dry-run", file.toString(), "--config", config, "-p", "who=Ada", "-p", "colour=red");
        assertThat(unknown.exit()).isEqualTo(ExitCode.INVALID);
        assertThat(unknown.err()).contains("unknown param 'colour'; declared params are tone, who");
    }

    @Test
    void anOrchestraFileRunsWithTheParamsItReadsAndValidateWarnsABatonFileOfUndeclaredOnes() throws Exception {
        Path orchestra = root.resolve("routes/orchestra.yaml");
        Result dry = run("dry-run", orchestra.toString(), "-p", "task=fix the login", "-p", "mode=fast");
        assertThat(dry.exit()).as(dry.err()).isZero();
        assertThat(dry.out())
                .contains("params: task (optional), mode (optional), target (optional)\n")
                .contains("  quick-test               runs: params.mode == \"fast\"\n")
                .contains("  full-test                SKIPPED: condition is false: params.mode != \"fast\"\n");
        JsonNode view = baton.get("/api/pipelines/orchestra-params").body();
        assertThat(view.path("params").fieldNames()).toIterable().containsExactly("task", "mode", "target");

        Result submitted = cli(
                "submit", "orchestra-params", "-p", "task=fix the login", "-p", "mode=fast", "--wait", "-o", "json");
        assertThat(submitted.exit()).as(submitted.err()).isZero();
        JsonNode run = Json.parse(submitted.out());
        assertThat(run.path("stages")
                        .get(0)
                        .path("tickets")
                        .get(0)
                        .path("output")
                        .path("input")
                        .asText())
                .as("the planner was given the task")
                .isEqualTo("fix the login");
        List<String> statuses = new ArrayList<>();
        run.path("stages")
                .forEach(s -> statuses.add(
                        s.path("name").asText() + " " + s.path("status").asText()));
        assertThat(statuses)
                .containsExactly("plan SUCCEEDED", "build SUCCEEDED", "quick-test SUCCEEDED", "full-test SKIPPED");

        Path baton1 = root.resolve("as-baton.yaml");
        Files.writeString(baton1, Files.readString(orchestra).replace("orchestra.io/v1", "baton/v1"));
        Result warned = run("validate", "--config", root.resolve("config").toString(), baton1.toString());
        assertThat(warned.exit()).as("warnings do not fail the file").isZero();
        assertThat(warned.out()).contains(baton1 + ": OK (pipeline 'orchestra-params', 4 stages)");
        assertThat(warned.err().lines())
                .containsExactly(
                        baton1
                                + ":16:16 warning: stage 'plan': input reads param 'task', which spec.params does not declare, "
                                + "so a run cannot set it; this pipeline declares no params",
                        baton1
                                + ":25:20 warning: stage 'quick-test': condition reads param 'mode', which spec.params does not "
                                + "declare, so a run cannot set it; this pipeline declares no params",
                        baton1
                                + ":27:16 warning: stage 'quick-test': input reads param 'target', which spec.params does not "
                                + "declare, so a run cannot set it; this pipeline declares no params",
                        baton1
                                + ":30:20 warning: stage 'full-test': condition reads param 'mode', which spec.params does not "
                                + "declare, so a run cannot set it; this pipeline declares no params");
    }

    @Test
    void completionPrintsAScriptBashAccepts() throws Exception {
        Result script = run("completion");
        assertThat(script.exit()).isZero();
        assertThat(script.out())
                .contains("complete -F _complete_baton")
                .contains("pipelines")
                .contains("dead-letters")
                .contains("--values")
                .contains("--follow");
        Path file = root.resolve("baton-completion.bash");
        Files.writeString(file, script.out());
        // Sourced by a real bash, then asked what follows `baton dead`: the completion function answers.
        Process bash = new ProcessBuilder(
                        "bash",
                        "-c",
                        "source " + file + " && COMP_WORDS=(baton dead) && COMP_CWORD=1"
                                + " && COMP_LINE='baton dead' && COMP_POINT=10 && _complete_baton && printf '%s\\n' \"${COMPREPLY[@]}\"")
                .redirectErrorStream(true)
                .start();
        String answer = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(bash.waitFor()).as(answer).isZero();
        assertThat(answer.lines()).contains("dead-letters");
    }
}
