package dev.baton;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code baton broker} runs the broker alone, in its own process, and a Baton process runs pipelines through it. */
class BrokerCommandTest {
    @TempDir
    Path root;

    @Test
    void aBatonProcessRunsPipelinesThroughTheStandaloneBroker() throws Exception {
        int port = TestBaton.freePort();
        Path log = root.resolve("broker.log");
        Process broker = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        "-Dbaton.broker.password=split-secret",
                        BatonMain.class.getName(),
                        "broker",
                        "--data",
                        root.resolve("broker-host").toString(),
                        "--broker-port",
                        Integer.toString(port),
                        "--stomp-port",
                        Integer.toString(TestBaton.freePort()),
                        "--amqp-port",
                        Integer.toString(TestBaton.freePort()))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> Files.readString(log).contains("listening on tcp://127.0.0.1:" + port));
            assertThat(Files.readString(log)).contains("Connect Baton with -Dbaton.broker.url=tcp://127.0.0.1:" + port);
            System.setProperty("baton.broker.url", "tcp://127.0.0.1:" + port);
            System.setProperty("baton.broker.password", "split-secret");
            try (TestBaton baton = TestBaton.start(root, "default: {kind: demo}\n", Map.of("two.yaml", """
                    apiVersion: baton/v1
                    kind: Pipeline
                    metadata: {name: two}
                    spec:
                      pipeline:
                        stages:
                          - {name: one, agent: worker, output: "$.one"}
                          - {name: two, dependsOn: [one], agent: worker, output: "$.two"}
                    """))) {
                JsonNode run = baton.awaitRun(baton.startRun("two", "{}"), Duration.ofSeconds(30));
                assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
                assertThat(Files.exists(root.resolve("broker-host/broker")))
                        .as("journal in --data")
                        .isTrue();
                assertThat(Files.exists(root.resolve("data/db")))
                        .as("Baton's own data")
                        .isTrue();
                assertThat(Files.exists(root.resolve("data/broker")))
                        .as("no embedded broker in Baton")
                        .isFalse();
            }
        } finally {
            System.clearProperty("baton.broker.url");
            System.clearProperty("baton.broker.password");
            broker.destroyForcibly().waitFor();
        }
    }

    @Test
    void theStandaloneBrokerRefusesToStartWithoutBatonsPassword() throws Exception {
        var err = new java.io.StringWriter();
        int code = BatonMain.execute(
                new java.io.PrintWriter(new java.io.StringWriter(), true),
                new java.io.PrintWriter(err, true),
                "broker",
                "--data",
                root.resolve("nopw").toString());
        assertThat(code).isEqualTo(2);
        assertThat(Files.exists(root.resolve("nopw/broker")))
                .as("no broker started")
                .isFalse();
    }

    @Test
    void aHalfOfAPairNeedsItsRoleAndAPeerItCanReach() throws Exception {
        Map<String[], String> refused = new java.util.LinkedHashMap<>();
        refused.put(new String[] {"--peer", "127.0.0.1:61617"}, "--peer needs --primary or --backup");
        refused.put(new String[] {"--backup"}, "--peer must be HOST:PORT of the other broker's Core port, not 'null'");
        refused.put(new String[] {"--primary", "--peer", "tcp://b:61617"}, "--peer must be HOST:PORT");
        refused.put(
                new String[] {"--backup", "--peer", "b:61617", "--advertise", "0.0.0.0"},
                "--advertise must be a host name or address the peer and the clients can reach, not '0.0.0.0'");
        refused.put(new String[] {"--primary", "--backup", "--peer", "b:61617"}, "mutually exclusive");
        for (var e : refused.entrySet()) {
            var err = new java.io.StringWriter();
            java.util.List<String> args = new java.util.ArrayList<>(
                    java.util.List.of("broker", "--data", root.resolve("pair").toString()));
            args.addAll(java.util.List.of(e.getKey()));
            int code = BatonMain.execute(
                    new java.io.PrintWriter(new java.io.StringWriter(), true),
                    new java.io.PrintWriter(err, true),
                    args.toArray(String[]::new));
            assertThat(code).as(String.join(" ", args)).isEqualTo(2);
            assertThat(err.toString()).contains(e.getValue());
        }
        assertThat(Files.exists(root.resolve("pair/broker")))
                .as("no broker started")
                .isFalse();
    }

    @Test
    void brokerUserWritesAHashedAgentUserAndItsRoles() throws Exception {
        var out = new java.io.StringWriter();
        int code = BatonMain.execute(
                new java.io.PrintWriter(out, true),
                new java.io.PrintWriter(System.err, true),
                "broker-user",
                "scorer",
                "--config",
                root.toString());
        assertThat(code).isZero();
        String password = out.toString()
                .lines()
                .filter(l -> l.startsWith("password"))
                .findFirst()
                .orElseThrow()
                .replaceAll(".*: ", "");
        String users = Files.readString(root.resolve("broker-users.properties"));
        assertThat(users).startsWith("scorer = ENC(").doesNotContain(password);
        assertThat(Files.readString(root.resolve("broker-roles.properties")))
                .contains("agent = scorer")
                .contains("agent.scorer = scorer");
        assertThat(org.apache.activemq.artemis.utils.PasswordMaskingUtil.getHashProcessor(
                                users.substring(users.indexOf('=') + 1).trim())
                        .compare(
                                password.toCharArray(),
                                users.substring(users.indexOf('=') + 1).trim()))
                .isTrue();
        assertThat(BatonMain.execute(
                        new java.io.PrintWriter(new java.io.StringWriter(), true),
                        new java.io.PrintWriter(new java.io.StringWriter(), true),
                        "broker-user",
                        "no#pe",
                        "--config",
                        root.toString()))
                .isEqualTo(2);
        // a submitter gets role submitter only: a user has the roles of one kind, so a new kind replaces the old
        var submitter = new java.io.StringWriter();
        assertThat(BatonMain.execute(
                        new java.io.PrintWriter(submitter, true),
                        new java.io.PrintWriter(System.err, true),
                        "broker-user",
                        "scorer",
                        "--role",
                        "submitter",
                        "--config",
                        root.toString()))
                .isZero();
        assertThat(submitter.toString()).startsWith("Submitter user 'scorer' written to");
        assertThat(Files.readString(root.resolve("broker-roles.properties")))
                .contains("submitter = scorer")
                .doesNotContain("agent = scorer")
                .doesNotContain("agent.scorer");
        var err = new java.io.StringWriter();
        assertThat(BatonMain.execute(
                        new java.io.PrintWriter(new java.io.StringWriter(), true),
                        new java.io.PrintWriter(err, true),
                        "broker-user",
                        "x1",
                        "--role",
                        "root",
                        "--config",
                        root.toString()))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--role root is not one of agent, submitter, approver, baton");
        assertThat(Files.readString(root.resolve("broker-users.properties"))).doesNotContain("x1");
    }
}
