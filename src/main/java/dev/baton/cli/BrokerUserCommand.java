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
@Command(name = "broker-user", mixinStandardHelpOptions = true,
        description = {"Add a broker user, or set its password, in config/broker-users.properties (hashed).",
                "An agent's user is named like the agent: it may consume only baton.agent.<name> and send only to "
                        + "baton.results and baton.heartbeats.",
                "The password is read from BATON_BROKER_PASSWORD; without it one is generated and printed once."})
public final class BrokerUserCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME", description = "the agent's name (or, with --baton, Baton's user)")
    String name;

    @Option(names = "--baton", description = "a user for Baton processes of a split deployment (role baton)")
    boolean baton;

    @Option(names = "--config", description = "config folder (default: config)")
    Path config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        var b = BatonSettings.load(new BatonSettings.Overrides(null, config, null, null, null)).broker();
        String env = System.getenv("BATON_BROKER_PASSWORD");
        boolean generated = env == null || env.isBlank();
        String password = generated ? generate() : env;
        try {
            BrokerUsers.put(b.usersFile(), b.rolesFile(), name, password, baton);
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println(e.getMessage());
            return 2;
        }
        var out = spec.commandLine().getOut();
        out.printf("%s user '%s' written to %s (roles in %s)%n", baton ? "Baton" : "Agent", name,
                b.usersFile(), b.rolesFile());
        if (generated) {
            out.println("password (shown once; give it to the agent as BATON_BROKER_PASSWORD): " + password);
        }
        return 0;
    }

    private static String generate() {
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
