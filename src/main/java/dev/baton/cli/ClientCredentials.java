package dev.baton.cli;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.function.UnaryOperator;

/**
 * The credentials client commands send, from the environment only (never a flag, so they stay out of shell history
 * and process lists): {@code BATON_API_KEY} as a bearer key, else {@code BATON_USER} and {@code BATON_PASSWORD} as
 * HTTP basic.
 */
public final class ClientCredentials {
    private static volatile UnaryOperator<String> environment = System::getenv;

    private ClientCredentials() {}

    /** Replaces where the variables are read (tests run commands in-process, where the environment is fixed). */
    public static void readFrom(UnaryOperator<String> variables) {
        environment = variables == null ? System::getenv : variables;
    }

    /** The {@code Authorization} header value, or null when no credentials are set. */
    static String authorization() {
        String key = environment.apply("BATON_API_KEY");
        if (key != null && !key.isBlank()) {
            return "Bearer " + key.strip();
        }
        String user = environment.apply("BATON_USER");
        String password = environment.apply("BATON_PASSWORD");
        if (user != null && !user.isBlank() && password != null) {
            return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        }
        return null;
    }
}
