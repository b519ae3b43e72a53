package dev.baton;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.pipeline.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** spec.schedule on the real broker and database: ticks start runs with the schedule's params, edits replace the chain. */
class ScheduleFiringTest {
    static final String AGENTS = "agents:\n  writer: {kind: demo}\n";

    @TempDir
    Path root;

    static String pipeline(String name, String schedule) {
        return """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: %s}
                spec:
                  params:
                    topic: {required: true}
                    tone: {default: neutral}
                %s
                  pipeline:
                    stages:
                      - {name: draft, agent: writer, input: "$.params", output: "$.draft"}
                """.formatted(name, schedule.isEmpty() ? "" : "  schedule: " + schedule);
    }

    /** Tick times of the runs a schedule started, in order, read from their idempotency keys. */
    static List<Instant> ticks(TestBaton baton, String pipeline) throws Exception {
        String prefix = "schedule:" + pipeline + "@";
        return baton
                .query(
                        "SELECT idempotency_key AS k FROM run WHERE pipeline = ? AND idempotency_key LIKE ?",
                        pipeline,
                        prefix + "%")
                .stream()
                .map(r -> Instant.parse(r.get("k").toString().substring(prefix.length())))
                .sorted()
                .toList();
    }

    static int runs(TestBaton baton, String pipeline) throws Exception {
        return baton.query("SELECT id FROM run WHERE pipeline = ?", pipeline).size();
    }

    /** Every second from the first tick to the last has exactly one run (the key's unique index allows no more). */
    static void assertOnePerSecondWithoutGaps(List<Instant> ticks) {
        assertThat(ticks)
                .allSatisfy(t -> assertThat(t.getNano()).as("tick %s", t).isZero());
        for (int i = 1; i < ticks.size(); i++) {
            assertThat(Duration.between(ticks.get(i - 1), ticks.get(i)))
                    .as("ticks %s", ticks)
                    .isEqualTo(Duration.ofSeconds(1));
        }
    }

    @Test
    void aScheduleEverySecondStartsOneRunPerTickWithItsParams() throws Exception {
        try (TestBaton baton = TestBaton.start(
                root,
                AGENTS,
                Map.of("tick.yaml", pipeline("tick", "{cron: \"* * * * * ?\", params: {topic: news}}")))) {
            JsonNode shown = baton.get("/api/pipelines/tick").body().path("schedule");
            assertThat(shown.path("cron").asText()).isEqualTo("* * * * * ?");
            assertThat(shown.path("timezone").asText()).isEqualTo("UTC");
            assertThat(shown.path("missed").asText()).isEqualTo("skip");
            assertThat(Instant.parse(shown.path("nextFireTime").asText()))
                    .isAfter(Instant.now().minusSeconds(2));

            await().atMost(Duration.ofSeconds(20))
                    .until(() -> ticks(baton, "tick").size() >= 4);
            List<Instant> ticks = ticks(baton, "tick");
            assertOnePerSecondWithoutGaps(ticks);
            assertThat(runs(baton, "tick")).isEqualTo(ticks.size());
            for (var row : baton.query("SELECT params FROM run WHERE pipeline = 'tick'")) {
                assertThat(Json.parse(row.get("params").toString()))
                        .isEqualTo(Json.parse("{\"topic\": \"news\", \"tone\": \"neutral\"}"));
            }
            String first = baton.query("SELECT id FROM run WHERE idempotency_key = ?", "schedule:tick@" + ticks.get(0))
                    .get(0)
                    .get("id")
                    .toString();
            JsonNode run = baton.awaitRun(first, Duration.ofSeconds(10));
            assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
            assertThat(run.path("idempotencyKey").asText()).isEqualTo("schedule:tick@" + ticks.get(0));
        }
    }

    @Test
    void anEditedCronReplacesTheChainAndARemovedScheduleStops() throws Exception {
        try (TestBaton baton = TestBaton.start(
                root, AGENTS, Map.of("edit.yaml", pipeline("edit", "{cron: \"* * * * * ?\", params: {topic: a}}")))) {
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> ticks(baton, "edit").size() >= 2);

            Files.writeString(
                    root.resolve("routes/edit.yaml"),
                    pipeline("edit", "{cron: \"*/3 * * * * ?\", params: {topic: b}}"));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> baton.get("/api/pipelines/edit")
                            .body()
                            .at("/schedule/cron")
                            .asText()
                            .equals("*/3 * * * * ?"));
            Instant edited = Instant.now().plusSeconds(1);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> ticks(baton, "edit").stream()
                                    .filter(t -> t.isAfter(edited))
                                    .count()
                            >= 2);
            for (Instant t :
                    ticks(baton, "edit").stream().filter(t -> t.isAfter(edited)).toList()) {
                assertThat(t.getEpochSecond() % 3)
                        .as("tick %s of the new cron", t)
                        .isZero();
            }

            Files.writeString(root.resolve("routes/edit.yaml"), pipeline("edit", ""));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> baton.get("/api/pipelines/edit")
                            .body()
                            .path("schedule")
                            .isMissingNode());
            Instant removed = Instant.now().plusSeconds(1);
            await().during(Duration.ofSeconds(4))
                    .atMost(Duration.ofSeconds(6))
                    .until(() -> ticks(baton, "edit").stream().noneMatch(t -> t.isAfter(removed)));
            assertThat(runs(baton, "edit")).isEqualTo(ticks(baton, "edit").size());
        }
    }

    @Test
    void aRestartKeepsFiringAndCatchesUpTicksWithinTheMisfireThreshold() throws Exception {
        try (TestBaton first = TestBaton.start(
                root, AGENTS, Map.of("again.yaml", pipeline("again", "{cron: \"* * * * * ?\", params: {topic: x}}")))) {
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> ticks(first, "again").size() >= 2);
        }
        Instant restarted = Instant.now();
        try (TestBaton second = TestBaton.restart(root)) {
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> ticks(second, "again").stream()
                                    .filter(t -> t.isAfter(restarted.plusSeconds(1)))
                                    .count()
                            >= 2);
            List<Instant> ticks = ticks(second, "again");
            assertOnePerSecondWithoutGaps(ticks);
            assertThat(runs(second, "again")).isEqualTo(ticks.size());
        }
    }

    @Test
    void aScheduleWhoseFileWentWhileBatonWasDownStops() throws Exception {
        try (TestBaton first = TestBaton.start(
                root, AGENTS, Map.of("gone.yaml", pipeline("gone", "{cron: \"* * * * * ?\", params: {topic: x}}")))) {
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> ticks(first, "gone").size() >= 1);
        }
        Files.delete(root.resolve("routes/gone.yaml"));
        try (TestBaton second = TestBaton.restart(root)) {
            int before = runs(second, "gone");
            // The tick left in the broker comes due at once (within the misfire threshold) and is dropped.
            await().atMost(Duration.ofSeconds(15)).until(() -> ScheduleMissedTest.scheduleMessages(second) == 0);
            assertThat(runs(second, "gone")).isEqualTo(before);
            assertThat(second.query("SELECT pipeline FROM pipeline_schedule")).isEmpty();
        }
    }

    @Test
    void reloadingAFileSendsItsNextTickAgainAndTheBrokerKeepsOneCopy() throws Exception {
        try (TestBaton baton = TestBaton.start(
                root,
                AGENTS,
                Map.of("far.yaml", pipeline("far", "{cron: \"0 0 9 * * ? 2099\", params: {topic: a}}")))) {
            await().atMost(Duration.ofSeconds(5)).until(() -> ScheduleMissedTest.scheduleMessages(baton) == 1);

            // Same cron, other params: the same chain, so the tick sent on reload has the same duplicate id.
            Files.writeString(
                    root.resolve("routes/far.yaml"),
                    pipeline("far", "{cron: \"0 0 9 * * ? 2099\", params: {topic: b}}"));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> baton.get("/api/pipelines/far")
                            .body()
                            .at("/schedule/params/topic")
                            .asText()
                            .equals("b"));
            String revision =
                    baton.get("/api/pipelines/far").body().path("revision").asText();
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> revision.equals(baton.query("SELECT revision FROM pipeline_schedule")
                            .get(0)
                            .get("revision")));
            await().during(Duration.ofSeconds(1))
                    .atMost(Duration.ofSeconds(3))
                    .until(() -> ScheduleMissedTest.scheduleMessages(baton) == 1);

            // Another cron: a new chain with its own tick; the old one stays queued until due, then is dropped.
            Files.writeString(
                    root.resolve("routes/far.yaml"),
                    pipeline("far", "{cron: \"0 0 10 * * ? 2099\", params: {topic: b}}"));
            await().atMost(Duration.ofSeconds(10)).until(() -> ScheduleMissedTest.scheduleMessages(baton) == 2);
        }
    }
}
