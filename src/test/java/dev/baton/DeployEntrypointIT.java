package dev.baton;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The container image's entrypoint ({@code deploy/entrypoint.sh}) started on the packaged jar, as the image starts it:
 * it passes the command through and turns {@code BATON_BROKER_PASSWORD} into Baton's broker password.
 */
class DeployEntrypointIT {
    @Test
    void theEntrypointPassesTheCommandAndTheBrokerPasswordFromTheEnvironment() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = taken.getLocalPort();
            List<String> broker = List.of(
                    "broker",
                    "--data",
                    "target/entrypoint-it",
                    "--broker-port",
                    Integer.toString(port),
                    "--stomp-port",
                    Integer.toString(TestBaton.freePort()),
                    "--amqp-port",
                    Integer.toString(TestBaton.freePort()));

            Result without = entrypoint(Map.of(), broker);
            assertThat(without.exit()).as(without.output()).isEqualTo(2);
            assertThat(without.output()).contains("baton.broker.password must be set");

            // With the password it gets as far as the broker's port, which this test holds: so it does not start.
            Result with = entrypoint(Map.of("BATON_BROKER_PASSWORD", "entrypoint-secret"), broker);
            assertThat(with.exit()).as(with.output()).isNotZero();
            assertThat(with.output())
                    .doesNotContain("baton.broker.password must be set")
                    .contains("cannot listen on port " + port);
        }
    }

    private record Result(int exit, String output) {}

    private static Result entrypoint(Map<String, String> env, List<String> args) throws Exception {
        Path home = Path.of("target").toAbsolutePath();
        List<String> cmd = new java.util.ArrayList<>(
                List.of("/bin/sh", Path.of("deploy", "entrypoint.sh").toString()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("BATON_") || k.equals("JAVA_OPTS"));
        pb.environment().putAll(env);
        pb.environment().put("BATON_HOME", home.toString());
        pb.environment()
                .put(
                        "BATON_LOG_CONFIG",
                        Path.of("config", "log4j2.xml").toAbsolutePath().toString());
        // The repository's broker.xml (the image has it next to the jar); loopback only, as every test server.
        pb.environment()
                .put(
                        "JAVA_OPTS",
                        "-Xmx128m -Dbaton.broker.host=127.0.0.1 -Dbaton.broker.config="
                                + Path.of("broker", "broker.xml").toAbsolutePath());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out);
    }
}
