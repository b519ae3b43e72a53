package dev.baton;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.cli.BrokerCommand;
import dev.baton.cli.RunCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import picocli.CommandLine;

/**
 * The files of {@code deploy/} (no Docker or Kubernetes on the build machine): the compose file and the manifests
 * parse, their commands are ones {@code baton} accepts, each broker of the pair names the other as its peer, Baton
 * processes connect to both with failover, every setting they pass is one the entrypoint maps, and the Dockerfile
 * copies files that exist.
 */
class DeployFilesTest {
    private static final Path DEPLOY = Path.of("deploy");

    @Test
    @SuppressWarnings("unchecked")
    void theComposeFileRunsAPairPostgresAndBatonWithFailover() throws Exception {
        Map<String, Object> compose =
                (Map<String, Object>) load(DEPLOY.resolve("compose.yaml")).get(0);
        Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) compose.get("services");
        assertThat(services).containsOnlyKeys("postgres", "broker-primary", "broker-backup", "baton");

        List<String> primary = (List<String>) services.get("broker-primary").get("command");
        List<String> backup = (List<String>) services.get("broker-backup").get("command");
        assertPair(primary, backup, "broker-primary", "broker-backup");
        Map<String, String> env = (Map<String, String>) services.get("baton").get("environment");
        assertBatonProcess(
                (List<String>) services.get("baton").get("command"),
                env,
                "broker-primary:61616",
                "broker-backup:61616");
        assertThat(env.get("BATON_DB_URL")).startsWith("jdbc:postgresql://postgres:5432/");
        for (String role : List.of("broker-primary", "broker-backup", "baton")) {
            assertThat(services.get(role).get("image"))
                    .as(role + ": Baton's image")
                    .isEqualTo("${BATON_IMAGE:-baton:dev}");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void theKubernetesManifestsRunAPairPostgresAndADeploymentWithFailover() throws Exception {
        List<Map<String, Object>> docs = new ArrayList<>();
        try (Stream<Path> files = Files.list(DEPLOY.resolve("k8s"))) {
            for (Path f : files.sorted().toList()) {
                for (Object doc : load(f)) docs.add((Map<String, Object>) doc);
            }
        }
        List<String> kinds = new ArrayList<>();
        Map<String, Map<String, Object>> containers = new java.util.HashMap<>();
        for (Map<String, Object> doc : docs) {
            assertThat(doc).containsKeys("apiVersion", "kind", "metadata");
            String name = (String) ((Map<String, Object>) doc.get("metadata")).get("name");
            kinds.add(doc.get("kind") + "/" + name);
            if (doc.get("kind").equals("StatefulSet") || doc.get("kind").equals("Deployment")) {
                Map<String, Object> spec = (Map<String, Object>) doc.get("spec");
                Map<String, Object> pod =
                        (Map<String, Object>) ((Map<String, Object>) spec.get("template")).get("spec");
                containers.put(name, ((List<Map<String, Object>>) pod.get("containers")).get(0));
            }
        }
        assertThat(kinds)
                .contains(
                        "Service/baton-broker-primary",
                        "Service/baton-broker-backup",
                        "StatefulSet/baton-broker-primary",
                        "StatefulSet/baton-broker-backup",
                        "Deployment/baton",
                        "Service/baton",
                        "StatefulSet/baton-postgres",
                        "Service/baton-postgres",
                        "Secret/baton-secrets");
        assertPair(
                (List<String>) containers.get("baton-broker-primary").get("args"),
                (List<String>) containers.get("baton-broker-backup").get("args"),
                "baton-broker-primary",
                "baton-broker-backup");
        Map<String, String> env = new java.util.HashMap<>();
        for (Map<String, Object> e :
                (List<Map<String, Object>>) containers.get("baton").get("env")) {
            env.put((String) e.get("name"), e.get("value") == null ? "(from a secret)" : (String) e.get("value"));
        }
        assertBatonProcess(
                (List<String>) containers.get("baton").get("args"),
                env,
                "baton-broker-primary:61616",
                "baton-broker-backup:61616");
    }

    @Test
    void theDockerfileCopiesFilesThatExistAndStartsTheEntrypoint() throws Exception {
        String dockerfile = Files.readString(DEPLOY.resolve("Dockerfile"));
        Matcher copy = Pattern.compile("(?m)^COPY (?!--from)(\\S+) ").matcher(dockerfile);
        List<String> copied = new ArrayList<>();
        while (copy.find()) copied.add(copy.group(1));
        assertThat(copied).contains("pom.xml", "src", "broker", "config", "deploy/entrypoint.sh");
        assertThat(copied).allMatch(p -> Files.exists(Path.of(p)), "exists in the repository");
        assertThat(Path.of("broker/broker-primary.xml")).exists();
        assertThat(Path.of("broker/broker-backup.xml")).exists();
        assertThat(dockerfile).contains("ENTRYPOINT [\"/bin/sh\", \"/opt/baton/entrypoint.sh\"]");
    }

    /** The two brokers' commands parse, one is --primary and one --backup, and each names the other as its peer. */
    private static void assertPair(List<String> primary, List<String> backup, String primaryHost, String backupHost) {
        Map<String, String> p = brokerOptions(primary);
        Map<String, String> b = brokerOptions(backup);
        assertThat(p)
                .containsEntry("--primary", "true")
                .containsEntry("--peer", backupHost + ":61616")
                .containsEntry("--advertise", primaryHost);
        assertThat(b)
                .containsEntry("--backup", "true")
                .containsEntry("--peer", primaryHost + ":61616")
                .containsEntry("--advertise", backupHost);
    }

    private static Map<String, String> brokerOptions(List<String> command) {
        assertThat(command.get(0)).isEqualTo("broker");
        var parsed = new CommandLine(new BrokerCommand())
                .parseArgs(command.subList(1, command.size()).toArray(String[]::new));
        Map<String, String> options = new java.util.HashMap<>();
        for (var o : parsed.matchedOptions()) options.put(o.longestName(), String.valueOf((Object) o.getValue()));
        return options;
    }

    /** A Baton process: {@code run}, with a failover URL naming both brokers and only settings the entrypoint maps. */
    private static void assertBatonProcess(List<String> command, Map<String, String> env, String... brokers)
            throws Exception {
        assertThat(command.get(0)).isEqualTo("run");
        new CommandLine(new RunCommand())
                .parseArgs(command.subList(1, command.size()).toArray(String[]::new));
        assertThat(env.get("BATON_BROKER_URL"))
                .isEqualTo("(tcp://" + brokers[0] + ",tcp://" + brokers[1] + ")?ha=true&reconnectAttempts=-1");
        String entrypoint = Files.readString(DEPLOY.resolve("entrypoint.sh"));
        for (String name : env.keySet()) {
            if (!name.equals("JAVA_OPTS"))
                assertThat(entrypoint).as("entrypoint.sh maps " + name).contains("\"" + name + " baton.");
        }
        assertThat(env).containsKeys("BATON_BROKER_PASSWORD", "BATON_DB_URL", "BATON_DB_USER", "BATON_DB_PASSWORD");
    }

    private static List<Object> load(Path yaml) throws Exception {
        List<Object> docs = new ArrayList<>();
        new Load(LoadSettings.builder().setLabel(yaml.toString()).build())
                .loadAllFromString(Files.readString(yaml))
                .forEach(docs::add);
        return docs;
    }
}
