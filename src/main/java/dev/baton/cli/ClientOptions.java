package dev.baton.cli;

import picocli.CommandLine.Option;

/** The options of client commands: which server to talk to. */
public final class ClientOptions {
    @Option(names = "--server", defaultValue = "${env:BATON_SERVER:-http://127.0.0.1:8080}",
            description = "Baton server URL (default: $BATON_SERVER or ${DEFAULT-VALUE})")
    String server;

    BatonClient client() {
        return new BatonClient(server);
    }
}
