package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.api.auth.Authenticator;
import dev.baton.api.auth.Secrets;
import dev.baton.api.auth.SecurityConfig;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code baton hash-secret}: hashes that {@code security.yaml} accepts, from a secret on standard input. */
class HashSecretCommandTest {
    @TempDir
    Path dir;

    private static CliTest.Result withInput(String stdin, String... args) {
        InputStream before = System.in;
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        try {
            return CliTest.runAs(null, args);
        } finally {
            System.setIn(before);
        }
    }

    @Test
    void hashesKeysAndPasswordsThatTheServerAccepts() throws Exception {
        CliTest.Result key = withInput("k-123\n", "hash-secret");
        assertThat(key.exit()).isZero();
        assertThat(key.out().strip()).isEqualTo(Secrets.sha256Hex("k-123"));

        CliTest.Result password = withInput("s3cret\n", "hash-secret", "--password");
        assertThat(password.exit()).isZero();
        String hash = password.out().strip();
        assertThat(hash).startsWith("pbkdf2-sha256$600000$").doesNotContain("s3cret");

        CliTest.Result fresh = CliTest.runAs(null, "hash-secret", "--new-key");
        String newKey = fresh.out()
                .lines()
                .filter(l -> l.startsWith("key:"))
                .findFirst()
                .orElseThrow()
                .substring(4)
                .strip();
        String newHash = fresh.out()
                .lines()
                .filter(l -> l.startsWith("sha256:"))
                .findFirst()
                .orElseThrow()
                .substring(7)
                .strip();

        Path file = dir.resolve("security.yaml");
        Files.writeString(
                file,
                "apiKeys:\n  ci: {role: viewer, sha256: " + key.out().strip() + "}\n"
                        + "  fresh: {role: admin, sha256: " + newHash + "}\n"
                        + "users:\n  alice: {role: approver, password: \"" + hash + "\"}\n");
        Authenticator auth = new Authenticator(SecurityConfig.load(file));
        assertThat(auth.authenticate("Bearer k-123", null)).isInstanceOf(Authenticator.Outcome.Known.class);
        assertThat(auth.authenticate("Bearer " + newKey, null)).isInstanceOf(Authenticator.Outcome.Known.class);
        assertThat(auth.authenticate("Basic " + Base64.getEncoder().encodeToString("alice:s3cret".getBytes()), null))
                .isInstanceOf(Authenticator.Outcome.Known.class);

        CliTest.Result empty = withInput("", "hash-secret");
        assertThat(empty.exit()).isEqualTo(2);
    }
}
