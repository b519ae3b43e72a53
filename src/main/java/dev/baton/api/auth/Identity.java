package dev.baton.api.auth;

/**
 * Who a request comes from: the name of its API key or basic-auth user (an approval stage's approvers are these
 * names), its role, and how it was authenticated ({@code api-key}, {@code basic}, or {@code open} when the API runs
 * without credentials).
 */
public record Identity(String name, Role role, String via) {}
