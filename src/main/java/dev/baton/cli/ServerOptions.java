package dev.baton.cli;

import dev.baton.config.BatonSettings;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options of the commands that start a server: where routes, config and data live and which ports to use. */
public final class ServerOptions {
    @Option(names = "--routes", description = "pipelines and Camel routes folder (default: routes)")
    Path routes;

    @Option(
            names = "--config",
            description = "config folder with application.properties and agents.yaml (default: config)")
    Path config;

    @Option(names = "--data", description = "data folder for the H2 database and the broker journal (default: data)")
    Path data;

    @Option(names = "--port", description = "HTTP port of the REST API (default: camel.server.port, 8080)")
    Integer port;

    @Option(
            names = "--broker-port",
            description = "TCP port of the embedded broker (default: baton.broker.port, 61616)")
    Integer brokerPort;

    @Option(
            names = "--stomp-port",
            description = "STOMP port of the embedded broker (default: baton.broker.stomp.port, 61613)")
    Integer stompPort;

    @Option(
            names = "--amqp-port",
            description = "AMQP 1.0 port of the embedded broker (default: baton.broker.amqp.port, 5672)")
    Integer amqpPort;

    BatonSettings.Overrides overrides() {
        return new BatonSettings.Overrides(routes, config, data, port, brokerPort, stompPort, amqpPort);
    }
}
