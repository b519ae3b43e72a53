package dev.baton;

import static dev.baton.ScheduleFiringTest.AGENTS;
import static dev.baton.ScheduleFiringTest.pipeline;
import static dev.baton.ScheduleFiringTest.runs;
import static dev.baton.ScheduleFiringTest.ticks;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.compile.Endpoints;
import jakarta.jms.QueueConnection;
import jakarta.jms.QueueRequestor;
import jakarta.jms.QueueSession;
import jakarta.jms.Session;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.apache.activemq.artemis.api.jms.management.JMSManagementHelper;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tick that came due while no Baton was running: {@code missed: skip} drops it, {@code missed: once} starts one
 * run for it. The schedule fires once only (a 7-field cron with a year), at a time when Baton is stopped.
 */
class ScheduleMissedTest {
    private static final String THRESHOLD = "baton.schedule.misfire-threshold";

    @TempDir
    Path root;

    @AfterEach
    void clear() {
        System.clearProperty(THRESHOLD);
    }

    @Test
    void skipDropsATickThatCameDueWhileBatonWasDown() throws Exception {
        Instant tick = missOneTick("skip");
        try (TestBaton baton = TestBaton.restart(root)) {
            // The overdue tick message is delivered as soon as the consumer runs; once it is gone, it was handled.
            await().atMost(Duration.ofSeconds(15)).until(() -> scheduleMessages(baton) == 0);
            assertThat(runs(baton, "once")).isZero();
            assertThat(baton.get("/api/pipelines/once")
                            .body()
                            .at("/schedule/nextFireTime")
                            .isNull())
                    .isTrue();
            assertThat(tick).isBefore(Instant.now());
        }
    }

    @Test
    void onceStartsOneRunForTheMissedTick() throws Exception {
        Instant tick = missOneTick("once");
        try (TestBaton baton = TestBaton.restart(root)) {
            await().atMost(Duration.ofSeconds(15)).until(() -> runs(baton, "once") == 1);
            await().atMost(Duration.ofSeconds(15)).until(() -> scheduleMessages(baton) == 0);
            assertThat(ticks(baton, "once")).containsExactly(tick);
            assertThat(runs(baton, "once")).isEqualTo(1);
        }
    }

    /**
     * Loads a schedule whose only tick is a few seconds ahead, stops Baton before it, and waits until it is overdue by
     * more than the misfire threshold (1 s here).
     */
    private Instant missOneTick(String missed) throws Exception {
        System.setProperty(THRESHOLD, "1s");
        Instant tick;
        try (TestBaton baton = TestBaton.start(root, AGENTS, Map.of())) {
            tick = Instant.now().plusSeconds(6).truncatedTo(ChronoUnit.SECONDS);
            ZonedDateTime at = tick.atZone(ZoneOffset.UTC);
            String cron = "%d %d %d %d %d ? %d"
                    .formatted(
                            at.getSecond(),
                            at.getMinute(),
                            at.getHour(),
                            at.getDayOfMonth(),
                            at.getMonthValue(),
                            at.getYear());
            Files.writeString(
                    root.resolve("routes/once.yaml"),
                    pipeline("once", "{cron: \"" + cron + "\", params: {topic: t}, missed: " + missed + "}"));
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> tick.toString()
                            .equals(baton.get("/api/pipelines/once")
                                    .body()
                                    .at("/schedule/nextFireTime")
                                    .asText()));
            await().atMost(Duration.ofSeconds(5)).until(() -> scheduleMessages(baton) == 1);
        }
        assertThat(Instant.now()).as("Baton stopped before the tick").isBefore(tick);
        await().atMost(Duration.ofSeconds(10)).until(() -> Instant.now().isAfter(tick.plusMillis(1500)));
        return tick;
    }

    /** Messages on the schedule queue, scheduled ones included, from the embedded broker's management. */
    static long scheduleMessages(TestBaton baton) throws Exception {
        try (ActiveMQConnectionFactory cf = baton.brokerConnections();
                QueueConnection c = cf.createQueueConnection()) {
            c.start();
            QueueSession session = c.createQueueSession(false, Session.AUTO_ACKNOWLEDGE);
            var request = session.createMessage();
            JMSManagementHelper.putAttribute(
                    request, Endpoints.MANAGED_QUEUE_PREFIX + Endpoints.SCHEDULE, "messageCount");
            var reply = new QueueRequestor(session, session.createQueue(Endpoints.MANAGEMENT)).request(request);
            return ((Number) JMSManagementHelper.getResult(reply)).longValue();
        }
    }
}
