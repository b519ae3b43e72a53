package dev.baton.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.TestBaton;
import dev.baton.config.BatonSettings;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A port of the embedded broker that another process holds stops the start with one sentence naming the port and its
 * setting, and leaves nothing running: the same broker starts once the port is free.
 */
class BusyBrokerPortTest {
    @TempDir
    Path root;

    @Test
    void eachBusyAcceptorPortIsNamed() throws Exception {
        String[] settings = {
            "baton.broker.port (--broker-port)",
            "baton.broker.stomp.port (--stomp-port)",
            "baton.broker.amqp.port (--amqp-port)"
        };
        for (int i = 0; i < 3; i++) {
            int which = i;
            int[] ports = {TestBaton.freePort(), TestBaton.freePort(), TestBaton.freePort()};
            var broker = new BatonSettings.BrokerSettings(
                    "",
                    ports[0],
                    "baton",
                    "secret",
                    Path.of("broker/broker.xml"),
                    ports[1],
                    ports[2],
                    root.resolve("users.properties"),
                    root.resolve("roles.properties"),
                    Map.of());
            try (ServerSocket taken = new ServerSocket(ports[which], 50, InetAddress.getLoopbackAddress())) {
                assertThatThrownBy(() -> EmbeddedBroker.start(broker, root.resolve("data" + which)))
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessage("the embedded broker cannot listen on port " + ports[which] + " (" + settings[which]
                                + "): is another process using it? Choose another port.");
            }
            try (EmbeddedBroker started = EmbeddedBroker.start(broker, root.resolve("data" + which))) {
                assertThat(started.server().isActive()).isTrue();
            }
        }
    }
}
