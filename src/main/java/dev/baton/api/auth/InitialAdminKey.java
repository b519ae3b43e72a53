package dev.baton.api.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * The credential of a fresh installation: while {@code security.yaml} lists nobody, {@code run} accepts one admin
 * API key kept in {@code <data>/initial-admin.key} (made on first start, readable by its owner only). Once the file
 * lists a key or a user, the initial key is no longer accepted. The key itself is never logged.
 */
public final class InitialAdminKey {
    public static final String FILE = "initial-admin.key";
    public static final String NAME = "admin";

    private InitialAdminKey() {}

    /** Reads the key file, making it first if there is none; the credentials that accept it. */
    public static SecurityConfig ensure(Path dataDir) throws IOException {
        Path file = dataDir.resolve(FILE);
        if (!Files.exists(file)) {
            Files.createDirectories(dataDir);
            try {
                Files.createFile(
                        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(file); // not a POSIX file system
            }
            Files.writeString(file, Secrets.newApiKey() + "\n", StandardCharsets.UTF_8);
        }
        String key = Files.readString(file, StandardCharsets.UTF_8).strip();
        if (key.length() < 20) {
            throw new IOException(file + " holds no usable key (at least 20 characters); delete it to get a new one");
        }
        return new SecurityConfig(
                Map.of(NAME, new SecurityConfig.ApiKey(NAME, Role.ADMIN, Secrets.sha256Hex(key))), Map.of());
    }
}
