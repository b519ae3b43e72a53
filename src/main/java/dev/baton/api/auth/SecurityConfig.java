package dev.baton.api.auth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.pipeline.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;

/**
 * The API's credentials from {@code config/security.yaml}: API keys as SHA-256 hashes and basic-auth users as salted
 * PBKDF2 hashes, each with a name (its identity) and a role. Validated once, every problem listed.
 *
 * <pre>
 * apiKeys:
 *   ci-bot: {role: submitter, sha256: 9f86d081...}
 * users:
 *   alice: {role: approver, password: "pbkdf2-sha256$600000$...$..."}
 * </pre>
 */
public record SecurityConfig(Map<String, ApiKey> apiKeys, Map<String, User> users) {
    private static final Set<String> TOP = Set.of("apiKeys", "users");
    private static final String ROLES = "viewer, submitter, approver, admin";

    /** An API key, by the hex SHA-256 of the key. */
    public record ApiKey(String name, Role role, String sha256) {}

    /** A basic-auth user with a {@link Secrets#hashPassword} hash. */
    public record User(String name, Role role, String passwordHash) {}

    public static SecurityConfig empty() {
        return new SecurityConfig(Map.of(), Map.of());
    }

    public boolean isEmpty() {
        return apiKeys.isEmpty() && users.isEmpty();
    }

    /**
     * Reads the file; a missing file has no credentials; a broken one is an error listing every problem, each as
     * {@code file:line:column path: problem}.
     */
    public static SecurityConfig load(Path file) {
        if (!Files.exists(file)) {
            return empty();
        }
        Object doc;
        Positions at;
        try {
            String text = Files.readString(file);
            LoadSettings settings = LoadSettings.builder()
                    .setAllowDuplicateKeys(false)
                    .setMaxAliasesForCollections(20)
                    .setLabel(file.toString())
                    .build();
            doc = new Load(settings).loadFromString(text);
            at = Positions.of(file.toString(), text, settings);
        } catch (MarkedYamlEngineException e) {
            Mark m = e.getProblemMark().or(e::getContextMark).orElse(null);
            throw new IllegalArgumentException(
                    (m == null ? file + ":1:1" : file + ":" + (m.getLine() + 1) + ":" + (m.getColumn() + 1))
                            + " YAML syntax error: " + e.getProblem(),
                    e);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(file + ":1:1 " + e.getMessage(), e);
        }
        List<String> errors = new ArrayList<>();
        JsonNode root = Json.MAPPER.valueToTree(doc == null ? Map.of() : doc);
        if (!root.isObject()) {
            throw new IllegalArgumentException(file + ":1:1 must be a map with apiKeys and users");
        }
        root.fieldNames().forEachRemaining(f -> {
            if (!TOP.contains(f)) {
                errors.add(at.key(f) + " unknown field '" + f + "'; expected apiKeys, users");
            }
        });
        Map<String, ApiKey> keys = new LinkedHashMap<>();
        Map<String, User> users = new LinkedHashMap<>();
        Set<String> hashes = new java.util.HashSet<>();
        root.path("apiKeys").properties().forEach(e -> {
            String where = "apiKeys." + e.getKey();
            Role role = role(at, where, e.getValue(), Set.of("role", "sha256"), errors);
            String sha = e.getValue().path("sha256").asText("");
            if (!sha.matches("[0-9a-f]{64}")) {
                errors.add(at.value(where + ".sha256") + " " + where + ".sha256 must be 64 lower-case hex digits "
                        + "(make one with ./baton hash-secret)");
            } else if (!hashes.add(sha)) {
                errors.add(at.value(where + ".sha256") + " " + where + ".sha256 is the hash of another key too");
            }
            keys.put(e.getKey(), new ApiKey(e.getKey(), role, sha));
        });
        root.path("users").properties().forEach(e -> {
            String where = "users." + e.getKey();
            Role role = role(at, where, e.getValue(), Set.of("role", "password"), errors);
            String hash = e.getValue().path("password").asText("");
            String problem = Secrets.checkPasswordHash(hash);
            if (problem != null) {
                errors.add(at.value(where + ".password") + " " + where + ".password " + problem);
            }
            if (keys.containsKey(e.getKey())) {
                errors.add(at.key(where) + " " + where + ": the name is also an API key's; an identity has one name");
            }
            if (e.getKey().contains(":")) {
                errors.add(at.key(where) + " " + where + ": a user name cannot contain ':' (HTTP basic splits on it)");
            }
            users.put(e.getKey(), new User(e.getKey(), role, hash));
        });
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException(String.join("\n", errors));
        }
        return new SecurityConfig(Map.copyOf(keys), Map.copyOf(users));
    }

    private static Role role(Positions at, String where, JsonNode entry, Set<String> fields, List<String> errors) {
        if (!entry.isObject()) {
            errors.add(at.value(where) + " " + where + " must be a map with " + String.join(", ", fields));
            return Role.VIEWER;
        }
        entry.fieldNames().forEachRemaining(f -> {
            if (!fields.contains(f)) {
                errors.add(at.key(where + "." + f) + " " + where + ": unknown field '" + f + "'; expected "
                        + String.join(", ", new java.util.TreeSet<>(fields)));
            }
        });
        Role role = Role.of(entry.path("role").asText(""));
        if (role == null) {
            errors.add(at.value(where + ".role") + " " + where + ".role '"
                    + entry.path("role").asText("") + "' is unknown; use one of " + ROLES);
            return Role.VIEWER;
        }
        return role;
    }

    /** Where each key and value of the file starts, by dotted path, as {@code file:line:column}. */
    private record Positions(String file, Map<String, String> keys, Map<String, String> values) {
        static Positions of(String file, String text, LoadSettings settings) {
            Positions p = new Positions(file, new java.util.HashMap<>(), new java.util.HashMap<>());
            new Compose(settings).composeString(text).ifPresent(root -> p.walk("", root));
            return p;
        }

        private void walk(String path, Node node) {
            if (node instanceof MappingNode m) {
                for (NodeTuple t : m.getValue()) {
                    if (t.getKeyNode() instanceof ScalarNode k) {
                        String child = path.isEmpty() ? k.getValue() : path + "." + k.getValue();
                        keys.put(child, at(k));
                        values.put(child, at(t.getValueNode()));
                        walk(child, t.getValueNode());
                    }
                }
            }
        }

        private String at(Node n) {
            Mark mark = n.getStartMark().orElse(null);
            return mark == null ? file + ":1:1" : file + ":" + (mark.getLine() + 1) + ":" + (mark.getColumn() + 1);
        }

        /** The key's place, or the nearest enclosing key's, or the file's start. */
        String key(String path) {
            for (String p = path; ; p = p.substring(0, p.lastIndexOf('.'))) {
                if (keys.containsKey(p)) return keys.get(p);
                if (!p.contains(".")) return file + ":1:1";
            }
        }

        /** The value's place, or its key's. */
        String value(String path) {
            return values.getOrDefault(path, key(path));
        }
    }
}
