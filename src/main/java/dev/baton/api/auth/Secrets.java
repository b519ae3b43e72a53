package dev.baton.api.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.spec.InvalidKeySpecException;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Hashes for {@code security.yaml}: SHA-256 for API keys (long random keys need no stretching), salted
 * PBKDF2-HMAC-SHA256 for passwords ({@code pbkdf2-sha256$iterations$salt$hash}, salt and hash in base64); every
 * comparison is constant-time. Only the JDK's own primitives are used.
 */
public final class Secrets {
    /** OWASP's 2023 figure for PBKDF2-HMAC-SHA256. */
    public static final int ITERATIONS = 600_000;

    static final int MIN_ITERATIONS = 1_000;
    private static final String PBKDF2 = "pbkdf2-sha256";
    private static final SecureRandom RANDOM = new SecureRandom();

    private Secrets() {}

    /** A new random API key: 32 bytes, base64url, prefixed so that it is recognisable in a leak scan. */
    public static String newApiKey() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return "bk_" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    public static String sha256Hex(String secret) {
        return HexFormat.of().formatHex(sha256(secret.getBytes(StandardCharsets.UTF_8)));
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** A new salted PBKDF2 hash of a password. */
    public static String hashPassword(String password) {
        return hashPassword(password, ITERATIONS);
    }

    public static String hashPassword(String password, int iterations) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return PBKDF2 + "$" + iterations + "$" + b64.encodeToString(salt) + "$"
                + b64.encodeToString(pbkdf2(password, salt, iterations));
    }

    /** Why a stored password hash cannot be used, or null when it is well formed. */
    static String checkPasswordHash(String stored) {
        String[] p = stored.split("\\$");
        if (p.length != 4 || !p[0].equals(PBKDF2)) {
            return "must look like pbkdf2-sha256$ITERATIONS$SALT$HASH (make one with ./baton hash-secret --password)";
        }
        try {
            int n = Integer.parseInt(p[1]);
            if (n < MIN_ITERATIONS) {
                return "iterations must be at least " + MIN_ITERATIONS + ", not " + n;
            }
            Base64.getDecoder().decode(p[2]);
            if (Base64.getDecoder().decode(p[3]).length != 32) {
                return "the hash must be 32 bytes of base64";
            }
        } catch (IllegalArgumentException e) {
            return "iterations, salt or hash is malformed: " + e.getMessage();
        }
        return null;
    }

    /** Whether the password matches a hash that {@link #checkPasswordHash} accepted; constant-time. */
    static boolean passwordMatches(String password, String stored) {
        String[] p = stored.split("\\$");
        byte[] expected = Base64.getDecoder().decode(p[3]);
        byte[] actual = pbkdf2(password, Base64.getDecoder().decode(p[2]), Integer.parseInt(p[1]));
        return MessageDigest.isEqual(expected, actual);
    }

    private static byte[] pbkdf2(String password, byte[] salt, int iterations) {
        PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, 256);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                    .generateSecret(spec)
                    .getEncoded();
        } catch (NoSuchAlgorithmException | InvalidKeySpecException e) {
            throw new IllegalStateException("the JDK has no PBKDF2WithHmacSHA256", e);
        } finally {
            spec.clearPassword();
        }
    }
}
