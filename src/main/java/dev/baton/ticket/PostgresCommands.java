package dev.baton.ticket;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs PostgreSQL's programs (initdb, pg_ctl, postgres --single) and turns a failure into a message with their output. */
final class PostgresCommands {
    private PostgresCommands() {}

    /** Runs {@code cmd} to its end (at most three minutes) and returns its output; fails, saying {@code what}, if it fails. */
    static String run(List<String> cmd, String what) throws IOException, InterruptedException {
        return run(cmd, null, what);
    }

    /** The same, with {@code input} on the program's standard input. */
    static String run(List<String> cmd, String input, String what) throws IOException, InterruptedException {
        Path out = Files.createTempFile("baton-postgres-", ".out");
        try {
            Process p = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(out.toFile())
                    .start();
            try (var stdin = p.getOutputStream()) {
                if (input != null) stdin.write(input.getBytes(StandardCharsets.UTF_8));
            }
            if (!p.waitFor(3, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException(what + " took more than 3 minutes: " + String.join(" ", cmd));
            }
            String output = Files.readString(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IllegalStateException(what + " failed (exit " + p.exitValue() + "): " + output.strip());
            }
            return output;
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** The last {@code n} lines of a log, to say why a server did not start. */
    static String tail(Path log, int n) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
        } catch (IOException e) {
            return "(" + log + " cannot be read: " + e.getMessage() + ")";
        }
    }
}
