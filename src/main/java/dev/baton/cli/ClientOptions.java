package dev.baton.cli;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The options of client commands: which server to talk to ({@code --server}, else {@code $BATON_SERVER}) and the
 * credentials, which come only from the environment so that no secret is ever a flag: {@code BATON_API_KEY} sent as
 * {@code Authorization: Bearer}, else {@code BATON_USER} and {@code BATON_PASSWORD} as HTTP basic.
 */
public final class ClientOptions {
    static final String DEFAULT_SERVER = "http://127.0.0.1:8080";

    @Option(
            names = "--server",
            paramLabel = "URL",
            description = "Baton server URL (default: $BATON_SERVER, else " + DEFAULT_SERVER + ")")
    String server;

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    /** A listing's {@code --limit}, checked before any request: from 1 to 1000, what the server pages by. */
    void checkLimit(int limit) {
        if (limit < 1 || limit > 1000) {
            throw new ParameterException(mixee.commandLine(), "--limit must be from 1 to 1000, not " + limit);
        }
    }

    BatonClient client() {
        String url = server != null ? server : env("BATON_SERVER");
        url = url == null || url.isBlank() ? DEFAULT_SERVER : url;
        try {
            URI uri = URI.create(url);
            if (uri.getScheme() == null || !uri.getScheme().matches("https?") || uri.getHost() == null) {
                throw new IllegalArgumentException("not an http(s) URL");
            }
        } catch (IllegalArgumentException e) {
            throw new ClientException(ExitCode.INVALID, "--server '" + url + "' is not an http:// or https:// URL");
        }
        return new BatonClient(url, authorization());
    }

    /** The Authorization header the environment's credentials make, or null when it has none. */
    String authorization() {
        String key = env("BATON_API_KEY");
        if (key != null && !key.isBlank()) {
            return "Bearer " + key;
        }
        String user = env("BATON_USER");
        String password = env("BATON_PASSWORD");
        if (user != null && !user.isBlank() && password != null) {
            return "Basic "
                    + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        }
        return null;
    }

    /** A variable of the environment the command runs in (the process's unless a caller supplied another). */
    String env(String name) {
        return environment(mixee).env(name);
    }

    static ClientEnvironment environment(CommandSpec spec) {
        Object root = spec == null ? null : spec.root().userObject();
        return root instanceof ClientEnvironment e ? e : System::getenv;
    }
}
