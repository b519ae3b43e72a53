package dev.baton.broker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.TestBaton;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.activemq.artemis.core.config.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal and disk settings broker.xml reads as {@code ${baton.broker.*:default}} come from
 * config/application.properties like every other baton.* setting, and a start without them has broker.xml's
 * defaults again.
 */
class BrokerXmlPropertiesTest {
    @TempDir
    Path tuned;

    @TempDir
    Path plain;

    @Test
    void journalAndDiskSettingsComeFromApplicationPropertiesAndFallBackToBrokerXml() throws Exception {
        Files.createDirectories(tuned.resolve("config"));
        Files.writeString(tuned.resolve("config/application.properties"), """
                baton.broker.journal-buffer-timeout = 0
                baton.broker.journal-datasync = false
                baton.broker.min-disk-free = 64M
                """);
        try (TestBaton baton = TestBaton.start(tuned, "agents: {}\n", Map.of())) {
            Configuration c = baton.server.broker().server().getConfiguration();
            assertThat(c.getJournalBufferTimeout_NIO()).isZero();
            assertThat(c.isJournalDatasync()).isFalse();
            assertThat(c.getMinDiskFree()).isEqualTo(64L * 1024 * 1024);
        }
        try (TestBaton baton = TestBaton.start(plain, "agents: {}\n", Map.of())) {
            Configuration c = baton.server.broker().server().getConfiguration();
            assertThat(c.getJournalBufferTimeout_NIO()).isEqualTo(3_333_333);
            assertThat(c.isJournalDatasync()).isTrue();
            assertThat(c.getMinDiskFree()).isEqualTo(256L * 1024 * 1024);
        }
    }
}
