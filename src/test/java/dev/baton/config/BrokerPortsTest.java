package dev.baton.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded broker's three ports come from the options, and two acceptors on one port are refused up front. */
class BrokerPortsTest {
    @TempDir
    Path root;

    @Test
    void theStompAndAmqpPortsComeFromTheOptions() throws Exception {
        var b = load(7000, 7001, 7002).broker();
        assertThat(b.ports()).isEqualTo(new dev.baton.broker.EmbeddedBroker.Ports(7000, 7001, 7002));
    }

    @Test
    void twoAcceptorsOnOnePortAreRefusedNamingBothProperties() throws Exception {
        SettingsException stomp = catchThrowableOfType(SettingsException.class, () -> load(7000, 7000, 7002));
        assertThat(stomp.problems())
                .containsExactly("baton.broker.stomp.port 7000 is also baton.broker.port; use another port");
        SettingsException amqp = catchThrowableOfType(SettingsException.class, () -> load(7000, 7001, 7001));
        assertThat(amqp.problems())
                .containsExactly("baton.broker.amqp.port 7001 is also baton.broker.stomp.port; use another port");
        SettingsException both = catchThrowableOfType(SettingsException.class, () -> load(7000, 7000, 7000));
        assertThat(both.problems())
                .containsExactly(
                        "baton.broker.stomp.port 7000 is also baton.broker.port; use another port",
                        "baton.broker.amqp.port 7000 is also baton.broker.port; use another port");
    }

    private BatonSettings load(int core, int stomp, int amqp) throws Exception {
        Path config = Files.createDirectories(root.resolve("config"));
        Files.writeString(config.resolve("application.properties"), "");
        return BatonSettings.load(new BatonSettings.Overrides(
                root.resolve("routes"), config, root.resolve("data"), 8080, core, stomp, amqp));
    }
}
