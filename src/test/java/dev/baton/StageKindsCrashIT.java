package dev.baton;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durability of the stage kinds: Baton in its own process is killed with SIGKILL in the middle of for_each stages
 * and in the middle of compensations; after a restart on the same data no item is lost or applied twice, and every
 * compensation finishes, in reverse order, exactly once. Also: a 10,000-item for_each under a 256 MB heap.
 */
class StageKindsCrashIT {
    @TempDir
    Path root;

    private final List<BatonProcess> started = new ArrayList<>();

    @AfterEach
    void stopAll() throws Exception {
        for (BatonProcess p : started) p.stop();
    }

    private BatonProcess prepare(String agents, String name, String pipeline) throws Exception {
        Files.createDirectories(root.resolve("routes"));
        Files.createDirectories(root.resolve("config"));
        Files.writeString(root.resolve("config/agents.yaml"), agents);
        Files.writeString(root.resolve("routes/" + name + ".yaml"), pipeline);
        BatonProcess p = new BatonProcess(root);
        started.add(p);
        return p;
    }

    static String items(int n) {
        StringBuilder sb = new StringBuilder("{\"items\": [");
        for (int i = 0; i < n; i++)
            sb.append(i == 0 ? "" : ",").append("{\"id\": ").append(i).append("}");
        return sb.append("]}").toString();
    }

    @Test
    void killNineInTheMiddleOfForEachLosesNoItemAndAppliesNoneTwice() throws Exception {
        BatonProcess baton = prepare("""
                agents:
                  worker: {kind: demo, delay: 30ms, output: {done: "{{ input.id }}"}}
                """, "fan", """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: fan}
                spec:
                  params:
                    items: {required: true}
                  pipeline:
                    stages:
                      - name: each
                        dynamic: {generator: for_each, input: "$.params.items", maxParallel: 20, template: {agent: worker}}
                        output: "$.out"
                """);
        baton.start(null);
        int runs = 3;
        int perRun = 300;
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            ids.add(baton.tryStart("fan", items(perRun), "fan-" + i).path("id").asText());
        }
        for (int target : List.of(perRun * runs / 4, perRun * runs / 2)) {
            awaitOrDiagnose(
                    baton,
                    ids,
                    target + " items were not done",
                    Duration.ofMinutes(3),
                    Duration.ofMillis(50),
                    () -> itemsDone(baton, ids) >= target);
            baton.kill9();
            Duration recovery = baton.start(null);
            System.out.printf(
                    "for_each: kill -9 once %d of %d items were done; back up in %d ms%n",
                    target, perRun * runs, recovery.toMillis());
        }
        awaitAll(baton, ids, "SUCCEEDED", Duration.ofMinutes(4));
        for (String id : ids) {
            JsonNode out = baton.get("/api/runs/" + id).path("context").path("out");
            assertThat(out).hasSize(perRun);
            for (int i = 0; i < perRun; i++)
                assertThat(out.get(i).path("done").asInt()).isEqualTo(i);
        }
        baton.awaitOutboxDrained();
        baton.terminate();
        try (Connection c = baton.connect()) {
            assertThat(count(c, "SELECT COUNT(*) FROM ticket")).isEqualTo(runs * perRun);
            assertThat(count(c, "SELECT COUNT(*) FROM ticket WHERE status <> 'SUCCEEDED'"))
                    .isZero();
            assertThat(count(c, "SELECT COUNT(*) FROM ticket_history WHERE status = 'SUCCEEDED'"))
                    .isEqualTo(runs * perRun);
            assertThat(count(
                            c,
                            "SELECT COUNT(*) FROM (SELECT ticket_id, attempt FROM ticket_history "
                                    + "WHERE status = 'QUEUED' GROUP BY ticket_id, attempt HAVING COUNT(*) > 1) x"))
                    .isZero();
            assertThat(count(c, "SELECT COUNT(*) FROM outbox")).isZero();
            assertThat(count(
                            c,
                            "SELECT COUNT(*) FROM (SELECT run_id FROM ticket_history GROUP BY run_id "
                                    + "HAVING MAX(seq) <> COUNT(*) OR MIN(seq) <> 1) x"))
                    .isZero();
        }
    }

    @Test
    void killNineInTheMiddleOfACompensationFinishesItInReverseOrderExactlyOnce() throws Exception {
        BatonProcess baton = prepare("""
                agents:
                  step: {kind: demo, output: {did: "{{ stage }}"}}
                  undo: {kind: demo, delay: 400ms, output: {undid: "{{ input.did }}"}}
                  broken: {kind: demo, fail: true}
                """, "saga", """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: saga}
                spec:
                  params:
                    n: {required: true}
                  pipeline:
                    stages:
                      - {name: s1, agent: step, compensate: {agent: undo}}
                      - {name: s2, dependsOn: [s1], agent: step, compensate: {agent: undo}}
                      - {name: s3, dependsOn: [s2], agent: step, compensate: {agent: undo}}
                      - {name: s4, dependsOn: [s3], agent: step, compensate: {agent: undo}}
                      - {name: boom, dependsOn: [s4], agent: broken}
                """);
        baton.start(null);
        int runs = 20;
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < runs; i++)
            ids.add(baton.tryStart("saga", "{\"n\": " + i + "}", "saga-" + i)
                    .path("id")
                    .asText());
        for (int kill = 1; kill <= 2; kill++) {
            int target = kill * runs; // compensations done across all runs (4 per run)
            awaitOrDiagnose(
                    baton,
                    ids,
                    target + " compensations were not done",
                    Duration.ofMinutes(2),
                    Duration.ofMillis(200),
                    () -> compensationsDone(baton, ids) >= target);
            baton.kill9();
            Duration recovery = baton.start(null);
            System.out.printf(
                    "saga: kill -9 once %d of %d compensations were done; back up in %d ms%n",
                    target, runs * 4, recovery.toMillis());
        }
        awaitAll(baton, ids, "COMPENSATED", Duration.ofMinutes(3));
        baton.awaitOutboxDrained();
        baton.terminate();
        try (Connection c = baton.connect()) {
            assertThat(count(c, "SELECT COUNT(*) FROM ticket WHERE item = -1 AND status = 'SUCCEEDED'"))
                    .isEqualTo(runs * 4);
            assertThat(count(
                            c,
                            "SELECT COUNT(*) FROM (SELECT ticket_id FROM ticket_history WHERE status = 'SUCCEEDED' "
                                    + "GROUP BY ticket_id HAVING COUNT(*) <> 1) x"))
                    .isZero();
            assertThat(count(
                            c,
                            "SELECT COUNT(*) FROM (SELECT ticket_id, attempt FROM ticket_history "
                                    + "WHERE status = 'QUEUED' GROUP BY ticket_id, attempt HAVING COUNT(*) > 1) x"))
                    .isZero();
            // in every run, s4 was undone first and s1 last
            for (String id : ids) {
                List<String> order = new ArrayList<>();
                try (var ps =
                        c.prepareStatement("SELECT h.stage FROM ticket_history h JOIN ticket t ON t.id = h.ticket_id "
                                + "WHERE h.run_id = ? AND t.item = -1 AND h.status = 'SUCCEEDED' ORDER BY h.seq")) {
                    ps.setString(1, id);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) order.add(rs.getString(1));
                    }
                }
                assertThat(order).containsExactly("s4", "s3", "s2", "s1");
            }
            assertThat(count(c, "SELECT COUNT(*) FROM outbox")).isZero();
        }
    }

    @Test
    void aForEachOfTenThousandItemsCompletesWithinA256MegabyteHeap() throws Exception {
        BatonProcess baton = prepare("""
                agents:
                  worker: {kind: demo, concurrency: 8, output: {done: "{{ input.id }}"}}
                """, "big", """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: big}
                spec:
                  params:
                    items: {required: true}
                  pipeline:
                    stages:
                      - name: each
                        dynamic: {generator: for_each, input: "$.params.items", maxParallel: 50, template: {agent: worker}}
                        output: "$.out"
                """).maxHeap("256m");
        baton.start(null);
        long t0 = System.nanoTime();
        // A loaded machine can take longer than the client's 10 s to answer: the same key again is the same run.
        JsonNode started = null;
        for (int attempt = 0; attempt < 10 && started == null; attempt++) {
            started = baton.tryStart("big", items(10_000), "big");
        }
        assertThat(started).as("POST of the 10,000-item run answered").isNotNull();
        String id = started.path("id").asText();
        // the run summary, not the run with its 10,000 tickets, is polled; the live heap is sampled meanwhile
        long[] live = {0};
        await().atMost(Duration.ofMinutes(10))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> {
                    live[0] = Math.max(
                            live[0],
                            baton.get("/api/health")
                                    .path("heap")
                                    .path("liveMiB")
                                    .asLong());
                    return !baton.get("/api/runs?pipeline=big&limit=1")
                            .path("items")
                            .path(0)
                            .path("status")
                            .asText()
                            .equals("RUNNING");
                });
        double seconds = (System.nanoTime() - t0) / 1e9;
        JsonNode heap = baton.get("/api/health").path("heap");
        System.out.printf(
                "for_each of 10,000 items, maxParallel 50: %s in %.1f s (%.0f items/s) with -Xmx256m; "
                        + "live heap after GC at most %d MiB (sampled each second); sum of pool peaks %d MiB%n",
                status(baton, id),
                seconds,
                10_000 / seconds,
                live[0],
                heap.path("peakMiB").asLong());
        assertThat(status(baton, id)).isEqualTo("SUCCEEDED");
        assertThat(heap.path("maxMiB").asLong()).isLessThanOrEqualTo(256);
    }

    private static int itemsDone(BatonProcess baton, List<String> ids) throws Exception {
        int done = 0;
        for (String id : ids) {
            JsonNode run = baton.get("/api/runs/" + id);
            done += run.path("stages").get(0).path("items").path("done").asInt();
        }
        return done;
    }

    private static int compensationsDone(BatonProcess baton, List<String> ids) throws Exception {
        int done = 0;
        for (String id : ids) {
            for (JsonNode stage : baton.get("/api/runs/" + id).path("stages")) {
                for (JsonNode t : stage.path("tickets")) {
                    if (t.path("purpose").asText().equals("compensate")
                            && t.path("status").asText().equals("SUCCEEDED")) {
                        done++;
                    }
                }
            }
        }
        return done;
    }

    /** Waits until every run has the status; if they do not, says where each stood (target/hang-reports.txt). */
    private static void awaitAll(BatonProcess baton, List<String> ids, String status, Duration atMost)
            throws Exception {
        awaitOrDiagnose(
                baton,
                ids,
                "runs did not all reach " + status,
                atMost,
                Duration.ofSeconds(1),
                () -> ids.stream().allMatch(id -> status(baton, id).equals(status)));
    }

    /** Waits for the condition; if it does not come, the process's threads and where its runs stood are reported. */
    private static void awaitOrDiagnose(
            BatonProcess baton,
            List<String> ids,
            String what,
            Duration atMost,
            Duration poll,
            java.util.concurrent.Callable<Boolean> condition)
            throws Exception {
        try {
            await().atMost(atMost).pollInterval(poll).until(condition);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            Path threads = baton.dumpThreads();
            throw new AssertionError(what + "; threads: " + threads + "\n" + ProcessDiagnosis.of(baton, ids, what), e);
        }
    }

    private static String status(BatonProcess baton, String id) {
        try {
            return baton.get("/api/runs/" + id).path("status").asText();
        } catch (Exception down) {
            return "UNKNOWN";
        }
    }

    private static int count(Connection c, String sql) throws Exception {
        try (var st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
