package dev.baton.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.LogCapture;
import dev.baton.TestBaton;
import jakarta.jms.Connection;
import jakarta.jms.MessageProducer;
import jakarta.jms.QueueBrowser;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real embedded broker drops copies of a message by its duplicate-detection id; Baton's log shows them as one
 * INFO line per batch with a count (the first copy at DEBUG), not as one WARN with a whole message dump each.
 */
class DroppedDuplicatesTest {
    @TempDir
    Path root;

    @Test
    void duplicatesDroppedByTheBrokerAreCountedOncePerBatchInsteadOfAWarnEach() throws Exception {
        try (TestBaton baton = TestBaton.start(root, "agents: {}\n", Map.of());
                LogCapture artemis = new LogCapture("org.apache.activemq", Level.WARN, "%p %m%n");
                LogCapture baton_ = new LogCapture("dev.baton.broker.DroppedDuplicates", Level.DEBUG, "%p %m%n")) {
            DroppedDuplicates filter = DroppedDuplicates.install();
            assertThat(filter).as("Log4j is the backend in tests too").isNotNull();
            filter.flush(); // whatever an earlier test in this JVM left
            long before = filter.total();
            try (Connection c = baton.brokerConnections().createConnection()) {
                Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
                MessageProducer p = s.createProducer(s.createQueue("baton.DLQ"));
                for (int i = 0; i < 4; i++) {
                    TextMessage m = s.createTextMessage("copy " + i);
                    m.setStringProperty("_AMQ_DUPL_ID", "dup-test-1");
                    p.send(m);
                }
                c.start();
                int kept = 0;
                try (QueueBrowser browser = s.createBrowser(s.createQueue("baton.DLQ"))) {
                    for (var e = browser.getEnumeration(); e.hasMoreElements(); e.nextElement()) kept++;
                }
                assertThat(kept).as("the broker kept the first copy only").isEqualTo(1);
            }
            assertThat(filter.total() - before).isEqualTo(3);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                filter.flush();
                return baton_.text().contains("INFO the broker dropped");
            });
            assertThat(baton_.text())
                    .contains("INFO the broker dropped 3 duplicate message(s) (duplicate detection, " + "AMQ222059)")
                    .contains("DEBUG first duplicate of the batch: ")
                    .contains("dup-test-1");
            assertThat(artemis.text()).doesNotContain("AMQ222059");
        }
    }
}
