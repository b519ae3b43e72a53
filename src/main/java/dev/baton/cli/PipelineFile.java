package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * A pipeline file given to {@code submit}: validated by the server, and matched by revision (the SHA-256 of its text,
 * as the loader computes it) against what the server has loaded. The server only runs what its {@code routes/}
 * folder holds, so a run of a file is a run of that folder's copy, and only when the two are the same text.
 */
record PipelineFile(Path path, String text, String revision) {
    private static final long POLL_MILLIS = 200;

    /** Whether the argument names a file rather than a pipeline: names are {@code [a-z0-9-]+}, paths are not. */
    static boolean isPath(String arg) {
        return arg.endsWith(".yaml") || arg.endsWith(".yml") || arg.contains("/") || arg.contains("\\");
    }

    static PipelineFile read(String arg) {
        Path path = Path.of(arg);
        try {
            String text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(Files.readAllBytes(path)))
                    .toString();
            return new PipelineFile(path, text, sha256(text));
        } catch (NoSuchFileException e) {
            throw new ClientException(ExitCode.INVALID, arg + ": no such file");
        } catch (CharacterCodingException e) {
            throw new ClientException(ExitCode.INVALID, arg + ": the file is not valid UTF-8");
        } catch (IOException e) {
            throw new ClientException(ExitCode.INVALID, arg + ": cannot be read: " + e.getMessage());
        }
    }

    /**
     * Has the server validate the file, then waits up to {@code waitMillis} for the server to have loaded this
     * revision of it, and answers the pipeline's name.
     *
     * @throws ClientException 2 with every problem (file:line:column) when the file is invalid; 3 when the server has
     *     no such pipeline, 2 when it has another revision, each saying how to get this one run
     */
    String checkedOn(BatonClient http, long waitMillis) {
        JsonNode valid;
        try {
            valid = http.postText("/api/pipelines/validate", "application/yaml", text);
        } catch (ClientException e) {
            throw e.problem() == null ? e : withFileName(e);
        }
        String name = valid.path("pipeline").asText();
        long deadline = System.currentTimeMillis() + waitMillis;
        while (true) {
            JsonNode loaded = loaded(http, name);
            String current = loaded == null ? null : loaded.path("revision").asText();
            if (revision.equals(current)) {
                return name;
            }
            if (System.currentTimeMillis() >= deadline) {
                throw notLoaded(name, loaded);
            }
            LockSupport.parkNanos(POLL_MILLIS * 1_000_000L);
        }
    }

    static String shortRevision(String revision) {
        return revision.length() > 12 ? revision.substring(0, 12) : revision;
    }

    private static JsonNode loaded(BatonClient http, String name) {
        try {
            return http.get("/api/pipelines/" + BatonClient.segment(name));
        } catch (ClientException e) {
            if (e.exitCode() == ExitCode.NOT_FOUND) return null;
            throw e;
        }
    }

    private ClientException notLoaded(String name, JsonNode loaded) {
        String how = "; the server runs the pipelines of its routes/ folder: copy " + path
                + " there (it is loaded within seconds) and submit again";
        if (loaded == null) {
            return new ClientException(
                    ExitCode.NOT_FOUND, path + " is valid, but the server has no pipeline '" + name + "'" + how);
        }
        return new ClientException(
                ExitCode.INVALID,
                path + " is not what the server runs as pipeline '" + name
                        + "': the server has revision "
                        + shortRevision(loaded.path("revision").asText()) + " (from "
                        + loaded.path("file").asText() + "), the file is revision " + shortRevision(revision) + how
                        + ", or submit '" + name + "' by name to run the server's revision");
    }

    /** The server names the body it validated "request"; the user knows it by the file's path. */
    private ClientException withFileName(ClientException e) {
        List<String> lines = new ArrayList<>();
        for (String line : e.getMessage().split("\n")) {
            lines.add(
                    line.replaceFirst("^(\\s*)request:", "$1" + java.util.regex.Matcher.quoteReplacement(path + ":")));
        }
        return new ClientException(e.exitCode(), String.join("\n", lines), e.problem());
    }

    private static String sha256(String text) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
