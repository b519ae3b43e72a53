package dev.baton.api.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code security.yaml}: hashes, every problem named, and the authenticator over it. */
class SecurityConfigTest {
    @TempDir
    Path dir;

    @Test
    void keysAndPasswordsAreCheckedAgainstTheirHashes() throws Exception {
        String hash = Secrets.hashPassword("s3cret", 2000);
        assertThat(hash).startsWith("pbkdf2-sha256$2000$");
        assertThat(Secrets.hashPassword("s3cret", 2000)).as("salted").isNotEqualTo(hash);
        Path file = dir.resolve("security.yaml");
        Files.writeString(
                file,
                "apiKeys:\n  ci: {role: submitter, sha256: " + Secrets.sha256Hex("k-123") + "}\n"
                        + "users:\n  alice: {role: approver, password: \"" + hash + "\"}\n");
        Authenticator auth = new Authenticator(SecurityConfig.load(file));
        assertThat(auth.authenticate("Bearer k-123", null))
                .isEqualTo(new Authenticator.Outcome.Known(new Identity("ci", Role.SUBMITTER, "api-key")));
        assertThat(auth.authenticate(null, "k-123")).isInstanceOf(Authenticator.Outcome.Known.class);
        assertThat(auth.authenticate("Bearer k-124", null)).isInstanceOf(Authenticator.Outcome.Bad.class);
        String basic = "Basic " + java.util.Base64.getEncoder().encodeToString("alice:s3cret".getBytes());
        assertThat(auth.slow(basic)).isTrue();
        assertThat(auth.authenticate(basic, null))
                .isEqualTo(new Authenticator.Outcome.Known(new Identity("alice", Role.APPROVER, "basic")));
        assertThat(auth.slow(basic)).as("verified once, remembered").isFalse();
        String wrong = "Basic " + java.util.Base64.getEncoder().encodeToString("alice:S3cret".getBytes());
        assertThat(auth.authenticate(wrong, null)).isInstanceOf(Authenticator.Outcome.Bad.class);
        assertThat(auth.authenticate(null, null)).isInstanceOf(Authenticator.Outcome.None.class);
        assertThat(Role.ADMIN.includes(Role.APPROVER)).isTrue();
        assertThat(Role.SUBMITTER.includes(Role.APPROVER)).isFalse();
    }

    @Test
    void aBrokenFileListsEveryProblem() throws Exception {
        Path file = dir.resolve("security.yaml");
        Files.writeString(file, """
                apiKeys:
                  ci: {role: boss, sha256: abc}
                  dup: {role: viewer, sha256: %1$s, colour: red}
                  dup2: {role: viewer, sha256: %1$s}
                users:
                  ci: {role: admin, password: plain}
                keys: []
                """.formatted(Secrets.sha256Hex("x")));
        assertThatThrownBy(() -> SecurityConfig.load(file))
                .hasMessage(String.join(
                        "\n",
                        file + ":7:1 unknown field 'keys'; expected apiKeys, users",
                        file + ":2:14 apiKeys.ci.role 'boss' is unknown; use one of viewer, submitter, approver, admin",
                        file
                                + ":2:28 apiKeys.ci.sha256 must be 64 lower-case hex digits (make one with ./baton hash-secret)",
                        file + ":3:97 apiKeys.dup: unknown field 'colour'; expected role, sha256",
                        file + ":4:32 apiKeys.dup2.sha256 is the hash of another key too",
                        file
                                + ":6:31 users.ci.password must look like pbkdf2-sha256$ITERATIONS$SALT$HASH (make one with "
                                + "./baton hash-secret --password)",
                        file + ":6:3 users.ci: the name is also an API key's; an identity has one name"));
    }

    @Test
    void aYamlSyntaxErrorSaysWhere() throws Exception {
        Path file = dir.resolve("security.yaml");
        Files.writeString(file, "apiKeys:\n  ci: {role: admin\n");
        assertThatThrownBy(() -> SecurityConfig.load(file)).hasMessageStartingWith(file + ":3:1 YAML syntax error: ");
    }
}
