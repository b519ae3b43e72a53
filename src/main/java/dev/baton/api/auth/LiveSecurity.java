package dev.baton.api.auth;

import dev.baton.pipeline.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API's credentials as {@code security.yaml} says now: reread when the file's content changes and put in force
 * from the next request on; an edit that does not load keeps the credentials before it and is logged once, every
 * problem with {@code file:line:column}. A file with no credentials falls back on the initial admin key.
 */
public final class LiveSecurity {
    private static final Logger LOG = LoggerFactory.getLogger(LiveSecurity.class);
    private final Path file;
    private final Path dataDir;
    private final Authenticator authenticator;
    private String hash;
    private String rejectedHash;
    private Instant loadedAt;
    private volatile String problem;

    /**
     * Loads {@code file} as at start.
     *
     * @param dataDir where the initial admin key is kept, for a file with no credentials
     * @throws IllegalArgumentException listing every problem, when the file does not load
     */
    public LiveSecurity(Path file, Path dataDir) throws IOException {
        this.file = file;
        this.dataDir = dataDir;
        this.hash = hash(file);
        this.authenticator = new Authenticator(inForce(SecurityConfig.load(file)));
        this.loadedAt = Instant.now();
    }

    /** Why the file's current content is not in force (no detail: anyone may read it in /api/health), or null. */
    public String problem() {
        return problem;
    }

    public Authenticator authenticator() {
        return authenticator;
    }

    /**
     * Reads the file again if its content changed: true when new credentials are in force, false when nothing
     * changed or the new content does not load (then the previous credentials stay, and the problems are logged
     * once per content).
     */
    public synchronized boolean reload() {
        String now = hash(file);
        if (now.equals(hash) || now.equals(rejectedHash)) {
            return false;
        }
        SecurityConfig config;
        try {
            config = SecurityConfig.load(file);
        } catch (IllegalArgumentException e) {
            rejectedHash = now;
            String[] problems = e.getMessage().split("\n");
            for (String p : problems) LOG.error("{}", p);
            LOG.error("{} not reloaded: the credentials loaded at {} stay in force", file, loadedAt);
            problem = file.getFileName() + ": the last edit was not loaded (" + problems.length + " problem(s), "
                    + "logged); the credentials loaded at " + loadedAt + " stay in force";
            return false;
        }
        try {
            authenticator.replace(inForce(config));
        } catch (IOException e) {
            LOG.error(
                    "{} not reloaded: {}; the credentials loaded at {} stay in force", file, e.getMessage(), loadedAt);
            return false;
        }
        hash = now;
        rejectedHash = null;
        loadedAt = Instant.now();
        problem = null;
        return true;
    }

    /** The credentials to use for what the file says, logged: the file's, or the initial admin key alone. */
    private SecurityConfig inForce(SecurityConfig config) throws IOException {
        if (config.isEmpty()) {
            Path key = dataDir.resolve(InitialAdminKey.FILE);
            LOG.warn(
                    "{} lists no API keys or users: the API accepts only the initial admin key in {} "
                            + "(export BATON_API_KEY=$(cat {})); add credentials to {} and it stops being accepted",
                    file,
                    key,
                    key,
                    file);
            return InitialAdminKey.ensure(dataDir);
        }
        LOG.info(
                "REST API credentials from {}: {} API key(s), {} user(s)",
                file,
                config.apiKeys().size(),
                config.users().size());
        return config;
    }

    /** The content's hash; "missing" for no file (no credentials), so deleting the file is a change too. */
    private static String hash(Path file) {
        try {
            return Json.sha256(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
        } catch (NoSuchFileException e) {
            return "missing";
        } catch (IOException e) {
            return "unreadable: " + e.getMessage();
        }
    }
}
