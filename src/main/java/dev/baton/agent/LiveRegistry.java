package dev.baton.agent;

import dev.baton.pipeline.AgentCatalog;
import dev.baton.pipeline.AgentSpec;
import dev.baton.pipeline.Json;
import dev.baton.pipeline.Violation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent registry as {@code config/agents.yaml} says now: reread when the file's content changes; an edit that
 * does not load keeps the registry before it and is reported (log and {@link #status()}) with line and column.
 */
public final class LiveRegistry implements AgentCatalog {
    private static final Logger LOG = LoggerFactory.getLogger(LiveRegistry.class);

    /**
     * The last reading of the file: the registry in force, the content hash it came from, and the problems of the
     * last version seen (empty when that version is the one in force).
     */
    public record Status(
            String file,
            AgentRegistry registry,
            String hash,
            Instant loadedAt,
            String rejectedHash,
            List<String> errors) {}

    private final Path file;
    private volatile Status status;

    private LiveRegistry(Path file, Status status) {
        this.file = file;
        this.status = status;
    }

    /**
     * Loads {@code file} (a missing file is an empty registry).
     *
     * @throws IllegalArgumentException listing every problem, when the file does not load
     */
    public static LiveRegistry load(Path file) {
        String hash = hash(file);
        AgentRegistry r = AgentRegistry.load(file);
        return new LiveRegistry(file, new Status(file.toString(), r, hash, Instant.now(), null, List.of()));
    }

    /** The registry in force. */
    public AgentRegistry current() {
        return status.registry();
    }

    public Status status() {
        return status;
    }

    /**
     * Reads the file again if its content changed: the new registry when it loads (and is now in force), null when
     * nothing changed or the new content does not load (then the previous registry stays, and the problems are
     * logged once and kept in {@link #status()}).
     */
    public synchronized AgentRegistry reload() {
        Status s = status;
        String hash = hash(file);
        if (hash.equals(s.hash()) || hash.equals(s.rejectedHash())) {
            return null;
        }
        try {
            AgentRegistry r = AgentRegistry.load(file);
            status = new Status(s.file(), r, hash, Instant.now(), null, List.of());
            LOG.info("{} reloaded: {} agent(s)", file, r.all().size());
            if (r.defaultAgent() != null) {
                LOG.warn(
                        "{} has a `default` of kind {}: every agent a pipeline names that is declared nowhere else "
                                + "runs as such an agent",
                        file,
                        kindName(r.defaultAgent()));
            }
            return r;
        } catch (IllegalArgumentException e) {
            List<String> errors = List.of(e.getMessage().split("\n"));
            status = new Status(s.file(), s.registry(), s.hash(), s.loadedAt(), hash, errors);
            errors.forEach(m -> LOG.error("{}", m));
            LOG.error(
                    "{} not reloaded ({} problem(s)); the registry loaded at {} stays in force",
                    file,
                    errors.size(),
                    s.loadedAt());
            return null;
        }
    }

    static String kindName(AgentConfig c) {
        return c.kind().name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The content's hash; "missing" for no file (an empty registry), so deleting the file is a change too. */
    private static String hash(Path file) {
        try {
            return Json.sha256(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
        } catch (NoSuchFileException e) {
            return "missing";
        } catch (IOException e) {
            return "unreadable: " + e.getMessage();
        }
    }

    @Override
    public boolean knows(String agent) {
        return current().knows(agent);
    }

    @Override
    public List<AgentSpec> listed() {
        return current().listed();
    }

    @Override
    public List<Violation> checkDeclared(AgentSpec declared, String file, String source) {
        return current().checkDeclared(declared, file, source);
    }
}
