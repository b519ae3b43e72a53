package dev.baton.api.auth;

import java.util.Locale;

/** What a caller of the REST API may do; each role includes every role before it. */
public enum Role {
    /** Every GET. */
    VIEWER,
    /** Also starts runs and validates pipelines. */
    SUBMITTER,
    /** Also decides approval stages. */
    APPROVER,
    /** Everything, cancel and rerun included. */
    ADMIN;

    public boolean includes(Role other) {
        return ordinal() >= other.ordinal();
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The role named in {@code security.yaml}; null for an unknown name. */
    public static Role of(String label) {
        for (Role r : values()) {
            if (r.label().equals(label)) {
                return r;
            }
        }
        return null;
    }
}
