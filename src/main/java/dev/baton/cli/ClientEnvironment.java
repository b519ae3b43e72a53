package dev.baton.cli;

/**
 * Where client commands read {@code BATON_SERVER}, {@code BATON_API_KEY}, {@code BATON_USER} and {@code BATON_PASSWORD}:
 * the process environment, or what an in-process caller (a test) supplies. The root command object implements it.
 */
@FunctionalInterface
public interface ClientEnvironment {
    /** The variable's value, or null when it is not set. */
    String env(String name);
}
