package dev.baton;

import dev.baton.api.auth.Secrets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The credentials every test Baton accepts: an API key {@code test-key-<name>} per identity below, and two basic-auth
 * users. Approvers named in test pipelines (alice, bob, ...) are identities with the approver role.
 */
public final class TestSecurity {
    /** Identity → role. */
    public static final Map<String, String> IDENTITIES = new LinkedHashMap<>();

    static {
        IDENTITIES.put("admin", "admin");
        IDENTITIES.put("viewer", "viewer");
        IDENTITIES.put("submitter", "submitter");
        IDENTITIES.put("approver", "approver");
        for (String a : new String[] {"alice", "bob", "carol", "dave", "a", "b", "c", "anybody"}) {
            IDENTITIES.put(a, "approver");
        }
    }

    /** Basic-auth users: name → password (role in {@link #BASIC_ROLES}). */
    public static final Map<String, String> BASIC = Map.of("ops", "ops-password", "reader", "reader-password");

    public static final Map<String, String> BASIC_ROLES = Map.of("ops", "admin", "reader", "viewer");

    private static String text;

    private TestSecurity() {}

    public static String apiKey(String identity) {
        if (!IDENTITIES.containsKey(identity)) {
            throw new IllegalArgumentException("no test identity '" + identity + "'; add it to TestSecurity");
        }
        return "test-key-" + identity;
    }

    /** Writes the test {@code security.yaml} to {@code file} (cheap PBKDF2: tests are not an attack). */
    public static Path write(Path file) throws IOException {
        synchronized (TestSecurity.class) {
            if (text == null) {
                StringBuilder b = new StringBuilder("apiKeys:\n");
                IDENTITIES.forEach((name, role) -> b.append("  ")
                        .append(name)
                        .append(": {role: ")
                        .append(role)
                        .append(", sha256: ")
                        .append(Secrets.sha256Hex(apiKey(name)))
                        .append("}\n"));
                b.append("users:\n");
                BASIC.forEach((name, pw) -> b.append("  ")
                        .append(name)
                        .append(": {role: ")
                        .append(BASIC_ROLES.get(name))
                        .append(", password: \"")
                        .append(Secrets.hashPassword(pw, 1000))
                        .append("\"}\n"));
                text = b.toString();
            }
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, text);
        return file;
    }
}
