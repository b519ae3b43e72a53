package dev.baton.agent;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Collection;

/**
 * Maps what went wrong with an HTTP call to a retryable or permanent {@link AgentFailure}: timeouts, 429 and 5xx may
 * pass, other 4xx will not. Messages carry a short excerpt of the body with every known secret masked.
 */
final class HttpFailures {
    static final int EXCERPT_CHARS = 200;

    private HttpFailures() {}

    /** A non-2xx answer. */
    static AgentFailure forStatus(String what, int status, String body, Collection<String> secrets) {
        String message = what + " answered HTTP " + status + excerptSuffix(body, secrets);
        return status == 429 || status >= 500 || status == 408
                ? AgentFailure.retryable(message)
                : AgentFailure.permanent(message);
    }

    /** A call that got no answer: timed out, refused or broken off; all of these may pass. */
    static AgentFailure forIo(String what, IOException e, Duration timeout, Collection<String> secrets) {
        if (e instanceof HttpConnectTimeoutException) {
            return AgentFailure.retryable(what + ": connect timed out after " + timeout);
        }
        if (e instanceof HttpTimeoutException || e instanceof SocketTimeoutException) {
            return AgentFailure.retryable(what + ": no answer within " + timeout);
        }
        if (e instanceof ConnectException) {
            return AgentFailure.retryable(what + ": connection refused");
        }
        return AgentFailure.retryable(
                what + ": " + e.getClass().getSimpleName() + excerptSuffix(e.getMessage(), secrets));
    }

    private static String excerptSuffix(String body, Collection<String> secrets) {
        String e = excerpt(body, secrets);
        return e.isEmpty() ? "" : ": " + e;
    }

    /** The text on one line, secrets masked, cut to {@value #EXCERPT_CHARS} characters. */
    static String excerpt(String text, Collection<String> secrets) {
        if (text == null) {
            return "";
        }
        String s = text;
        for (String secret : secrets) {
            if (secret != null && secret.length() >= 4) {
                s = s.replace(secret, "***");
            }
        }
        // Services often echo a credential they refuse, and not always verbatim (a prefix, a masked middle).
        s = s.replaceAll("(?i)(bearer|basic)\\s+[A-Za-z0-9._~+/=-]+", "$1 ***")
                .replaceAll("\\bsk-[A-Za-z0-9_*-]{6,}", "sk-***")
                .replaceAll("\\s+", " ")
                .strip();
        return s.length() <= EXCERPT_CHARS ? s : s.substring(0, EXCERPT_CHARS) + "...";
    }
}
