package dev.baton.api.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tells who sent a request from its {@code Authorization: Bearer <key>}, {@code X-API-Key: <key>} or
 * {@code Authorization: Basic ...} header. Key hashes are compared in constant time against every configured key;
 * a verified basic-auth password is remembered (as a SHA-256 of the header, never the password) so that PBKDF2
 * runs once per user and password, not once per request.
 */
public final class Authenticator {
    private static final int CACHE_LIMIT = 1_000;

    /**
     * The credentials in force, with what is derived from them: replaced as one piece, so a request sees either the
     * old file or the new one, and a password verified under the old one is not remembered under the new.
     *
     * @param dummyHash verified against for an unknown user, as costly as the dearest configured hash
     */
    private record State(SecurityConfig config, String dummyHash, Map<String, Identity> verifiedBasic) {
        static State of(SecurityConfig config) {
            int iterations = config.users().values().stream()
                    .mapToInt(u -> Integer.parseInt(u.passwordHash().split("\\$")[1]))
                    .max()
                    .orElse(Secrets.MIN_ITERATIONS);
            return new State(config, Secrets.hashPassword(Secrets.newApiKey(), iterations), new ConcurrentHashMap<>());
        }
    }

    private volatile State state;

    public Authenticator(SecurityConfig config) {
        this.state = State.of(config);
    }

    /** Puts new credentials in force from the next request on (security.yaml reloaded). */
    public void replace(SecurityConfig config) {
        this.state = State.of(config);
    }

    /** The credentials in force. */
    public SecurityConfig config() {
        return state.config();
    }

    /** Whether authenticating these credentials takes long (a basic-auth password not verified before). */
    public boolean slow(String authorization) {
        if (authorization == null || !authorization.strip().regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        String encoded = authorization.strip().substring(6).strip();
        try {
            String decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
            return !state.verifiedBasic().containsKey(Secrets.sha256Hex("basic\n" + decoded));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** What a request's credentials say. */
    public sealed interface Outcome {
        /** No credentials at all. */
        record None() implements Outcome {}

        /** Credentials that match nothing, with the reason to show (never the secret). */
        record Bad(String reason) implements Outcome {}

        record Known(Identity identity) implements Outcome {}
    }

    /**
     * @param authorization the {@code Authorization} header, or null
     * @param apiKey the {@code X-API-Key} header, or null
     */
    public Outcome authenticate(String authorization, String apiKey) {
        if (authorization != null && !authorization.isBlank()) {
            String a = authorization.strip();
            int space = a.indexOf(' ');
            String scheme = space < 0 ? a : a.substring(0, space);
            String value = space < 0 ? "" : a.substring(space + 1).strip();
            if (scheme.equalsIgnoreCase("Bearer")) {
                return key(value);
            }
            if (scheme.equalsIgnoreCase("Basic")) {
                return basic(value);
            }
            return new Outcome.Bad("the Authorization scheme must be Bearer or Basic");
        }
        if (apiKey != null && !apiKey.isBlank()) {
            return key(apiKey.strip());
        }
        return new Outcome.None();
    }

    private Outcome key(String key) {
        byte[] presented = Secrets.sha256(key.getBytes(StandardCharsets.UTF_8));
        SecurityConfig.ApiKey found = null;
        for (SecurityConfig.ApiKey k : state.config().apiKeys().values()) {
            // No early exit: the time taken does not depend on which key (if any) matched.
            if (MessageDigest.isEqual(presented, HexFormat.of().parseHex(k.sha256())) && found == null) {
                found = k;
            }
        }
        return found == null
                ? new Outcome.Bad("the API key is not known")
                : new Outcome.Known(new Identity(found.name(), found.role(), "api-key"));
    }

    private Outcome basic(String encoded) {
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return new Outcome.Bad("basic credentials are not base64");
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return new Outcome.Bad("basic credentials must be user:password");
        }
        State now = state;
        Map<String, Identity> verifiedBasic = now.verifiedBasic();
        String cacheKey = Secrets.sha256Hex("basic\n" + decoded);
        Identity cached = verifiedBasic.get(cacheKey);
        if (cached != null) {
            return new Outcome.Known(cached);
        }
        String name = decoded.substring(0, colon);
        String password = decoded.substring(colon + 1);
        Optional<SecurityConfig.User> user =
                Optional.ofNullable(now.config().users().get(name));
        // An unknown user costs the same PBKDF2 as a known one: the time taken does not tell which names exist.
        boolean matches = Secrets.passwordMatches(
                password, user.map(SecurityConfig.User::passwordHash).orElse(now.dummyHash()));
        if (user.isEmpty() || !matches) {
            return new Outcome.Bad("unknown user or wrong password");
        }
        Identity id = new Identity(name, user.get().role(), "basic");
        if (verifiedBasic.size() >= CACHE_LIMIT) {
            verifiedBasic.clear();
        }
        verifiedBasic.put(cacheKey, id);
        return new Outcome.Known(id);
    }
}
