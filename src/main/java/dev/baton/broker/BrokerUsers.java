package dev.baton.broker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.activemq.artemis.spi.core.security.jaas.ReloadableProperties;
import org.apache.activemq.artemis.utils.PasswordMaskingUtil;

/**
 * Edits the broker's users and roles files: a user's password is stored only as Artemis' salted PBKDF2 hash
 * ({@code ENC(...)}), which the broker's login module verifies. The running broker re-reads both files.
 */
public final class BrokerUsers {
    /** A user name is also a security-setting match word: no wildcard, no delimiter. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,100}");

    private BrokerUsers() {}

    /** What a broker user is for, and so its roles (broker.xml says what each role may do). */
    public enum Kind {
        /** Roles {@code agent} and {@code agent.<name>}: its own queue, replies and heartbeats. */
        AGENT,
        /** Role {@code submitter}: starts runs on baton.submit. */
        SUBMITTER,
        /** Role {@code approver}: decides approvals on baton.approvals, as itself. */
        APPROVER,
        /** Role {@code baton}: everything (a Baton process of a split deployment). */
        BATON;

        Set<String> roles(String name) {
            return switch (this) {
                case AGENT -> Set.of(BrokerAccess.AGENT_ROLE, BrokerAccess.agentRole(name));
                case SUBMITTER -> Set.of(BrokerAccess.SUBMITTER_ROLE);
                case APPROVER -> Set.of(BrokerAccess.APPROVER_ROLE);
                case BATON -> Set.of(BrokerAccess.BATON_ROLE);
            };
        }
    }

    /** Adds the user or replaces its password and roles (a user has the roles of one kind only). */
    public static void put(Path usersFile, Path rolesFile, String name, String password, Kind kind) throws IOException {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("user name '" + name + "' must be 1 to 100 letters, digits, - or _");
        }
        if (password.length() < 8) {
            throw new IllegalArgumentException("password must be at least 8 characters");
        }
        String hash;
        try {
            hash = PasswordMaskingUtil.getHashProcessor().hash(password);
        } catch (Exception e) {
            throw new IllegalStateException("cannot hash the password: " + e.getMessage(), e);
        }
        Set<String> roles = kind.roles(name);
        ReloadableProperties.LOCK.writeLock().lock();
        try {
            Lines users = Lines.read(usersFile);
            users.entries.put(name, hash);
            users.write(usersFile);
            Lines roleLines = Lines.read(rolesFile);
            roleLines.entries.replaceAll((role, list) -> String.join(",", without(list, name)));
            for (String role : roles) {
                Set<String> members = new LinkedHashSet<>(without(roleLines.entries.getOrDefault(role, ""), name));
                members.add(name);
                roleLines.entries.put(role, String.join(",", members));
            }
            roleLines.entries.values().removeIf(String::isEmpty);
            roleLines.write(rolesFile);
        } finally {
            ReloadableProperties.LOCK.writeLock().unlock();
        }
    }

    private static List<String> without(String list, String name) {
        List<String> out = new ArrayList<>();
        for (String s : list.split(",")) {
            if (!s.isBlank() && !s.trim().equals(name)) out.add(s.trim());
        }
        return out;
    }

    /** A properties file as its leading comment block and its {@code key = value} lines, in order. */
    private record Lines(List<String> header, Map<String, String> entries) {
        static Lines read(Path file) throws IOException {
            List<String> header = new ArrayList<>();
            Map<String, String> entries = new LinkedHashMap<>();
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    String t = line.trim();
                    if (t.isEmpty() || t.startsWith("#")) {
                        if (entries.isEmpty()) header.add(line);
                        continue;
                    }
                    int eq = t.indexOf('=');
                    if (eq > 0)
                        entries.put(
                                t.substring(0, eq).trim(), t.substring(eq + 1).trim());
                }
            }
            return new Lines(header, entries);
        }

        void write(Path file) throws IOException {
            List<String> out = new ArrayList<>(header);
            entries.forEach((k, v) -> out.add(k + " = " + v));
            if (file.getParent() != null) Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(tmp, out, StandardCharsets.UTF_8);
            Files.move(
                    tmp,
                    file,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
    }
}
