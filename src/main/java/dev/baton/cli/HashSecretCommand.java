package dev.baton.cli;

import dev.baton.api.auth.Secrets;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code baton hash-secret}: the hash to put in {@code config/security.yaml} for an API key (SHA-256) or, with
 * {@code --password}, a password (salted PBKDF2). The secret is read from standard input, never from a flag.
 */
@Command(
        name = "hash-secret",
        mixinStandardHelpOptions = true,
        description = "Print the hash of an API key (or with --password, of a password) read from standard input, "
                + "for config/security.yaml; --new-key makes a new random API key and prints it with its hash.")
public final class HashSecretCommand implements Callable<Integer> {
    @Option(names = "--password", description = "hash a password for a basic-auth user (PBKDF2-HMAC-SHA256)")
    boolean password;

    @Option(names = "--new-key", description = "make a new random API key and print it and its hash")
    boolean newKey;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        if (newKey) {
            String key = Secrets.newApiKey();
            out.println("key:    " + key);
            out.println("sha256: " + Secrets.sha256Hex(key));
            out.flush();
            return 0;
        }
        String secret = readSecret();
        if (secret == null || secret.isEmpty()) {
            throw new ClientException(
                    2, "give the secret on standard input, e.g. " + "printf '%s' \"$KEY\" | ./baton hash-secret");
        }
        out.println(password ? Secrets.hashPassword(secret) : Secrets.sha256Hex(secret));
        out.flush();
        return 0;
    }

    /** The first line of standard input; from a terminal, read without echo. */
    private String readSecret() throws IOException {
        var console = System.console();
        if (console != null) { // Java 17: only when standard input and output are a terminal
            char[] typed = console.readPassword(password ? "password: " : "API key: ");
            return typed == null ? null : new String(typed);
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line = in.readLine();
        return line == null ? null : line.strip();
    }
}
