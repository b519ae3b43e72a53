package dev.baton.cli;

import dev.baton.broker.BrokerUsers;
import dev.baton.config.BatonSettings;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code baton broker-user NAME}: adds a broker user (or gives it a new password) to the users file with a hashed
 * password; an agent user may consume only its own queue. The password comes from {@code BATON_BROKER_PASSWORD}
 * or is generated and printed once.
 */
@Command(
        name = "broker-user",
        mixinStandardHelpOptions = true,
        description = {
            "Add a broker user, or set its password, in config/broker-users.properties (hashed).",
            "An agent's user is named like the agent: it may consume only baton.agent.<name> and send only to "
                    + "baton.results and baton.heartbeats. A submitter may only send to baton.submit, an approver "
                    + "only to baton.approvals; both read their answers on temporary queues.",
            "The password is read from BATON_BROKER_PASSWORD; without it one is generated and printed once."
        })
public final class BrokerUserCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME", description = "the agent's name, or any name for another role")
    String name;

    @Option(
            names = "--role",
            paramLabel = "ROLE",
            description = "agent (default), submitter, approver or baton "
                    + "(Baton processes of a split deployment: everything)")
    String role;

    @Option(names = "--baton", description = "the same as --role baton")
    boolean baton;

    @Option(names = "--config", description = "config folder (default: config)")
    Path config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        var b = BatonSettings.load(new BatonSettings.Overrides(null, config, null, null, null))
                .broker();
        BrokerUsers.Kind kind;
        try {
            kind = kind();
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println(e.getMessage());
            return 2;
        }
        String env = System.getenv("BATON_BROKER_PASSWORD");
        boolean generated = env == null || env.isBlank();
        String password = generated ? generate() : env;
        try {
            BrokerUsers.put(b.usersFile(), b.rolesFile(), name, password, kind);
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println(e.getMessage());
            return 2;
        }
        var out = spec.commandLine().getOut();
        String what = kind.name().charAt(0) + kind.name().substring(1).toLowerCase(java.util.Locale.ROOT);
        out.printf("%s user '%s' written to %s (roles in %s)%n", what, name, b.usersFile(), b.rolesFile());
        if (generated) {
            out.println("password (shown once; give it to the " + (kind == BrokerUsers.Kind.AGENT ? "agent" : "client")
                    + " as BATON_BROKER_PASSWORD): " + password);
        }
        return 0;
    }

    private BrokerUsers.Kind kind() {
        if (baton && role != null && !role.equals("baton")) {
            throw new IllegalArgumentException("--baton and --role " + role + " contradict each other");
        }
        if (baton || role == null) {
            return baton ? BrokerUsers.Kind.BATON : BrokerUsers.Kind.AGENT;
        }
        for (BrokerUsers.Kind k : BrokerUsers.Kind.values()) {
            if (k.name().equalsIgnoreCase(role)) return k;
        }
        throw new IllegalArgumentException("--role " + role + " is not one of agent, submitter, approver, baton");
    }

    private static String generate() {
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
