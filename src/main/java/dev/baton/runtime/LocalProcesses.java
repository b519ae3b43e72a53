package dev.baton.runtime;

import java.time.Instant;

/**
 * Tells, for an agent instance named {@code <pid>@<host>} the way Baton names its in-process agents, whether it was a
 * process of this host that is no longer running: such an instance is known to be gone, with no need to wait for its
 * heartbeats to go stale. That is the case of every in-process agent of this process's previous life after a restart.
 * A pid that is running again (reused) is treated as alive, so the instance waits for the heartbeat rule as before.
 */
public final class LocalProcesses {
    private final String host;
    private final long pid;
    private final Instant started;

    /**
     * @param instance this process as an agent instance, {@code <pid>@<host>}
     * @param started when this process started: an instance with this process's own pid (a container restarted with
     *     the same pid) whose last heartbeat is older is a previous life
     */
    public LocalProcesses(String instance, Instant started) {
        int at = instance.indexOf('@');
        this.pid = at > 0 ? parse(instance.substring(0, at)) : -1;
        this.host = at > 0 ? instance.substring(at) : null;
        this.started = started;
    }

    /** This process, as its in-process agents name it, started when the JVM did. */
    public static LocalProcesses current(String instance) {
        return new LocalProcesses(
                instance,
                Instant.ofEpochMilli(java.lang.management.ManagementFactory.getRuntimeMXBean()
                        .getStartTime()));
    }

    /** The host suffix instances of this host end with, {@code @<host>}; null when this process's name has none. */
    public String hostSuffix() {
        return host;
    }

    /** The pid of the instance when it was a process of this host that is gone, otherwise -1. */
    public long gonePid(String instance, Instant lastHeartbeat) {
        if (host == null || !instance.endsWith(host)) {
            return -1;
        }
        long other = parse(instance.substring(0, instance.length() - host.length()));
        if (other <= 0) {
            return -1;
        }
        if (other == pid) {
            return lastHeartbeat.isBefore(started) ? other : -1;
        }
        return ProcessHandle.of(other).map(ProcessHandle::isAlive).orElse(false) ? -1 : other;
    }

    /** Whether the gone instance last spoke before this process started: a previous life, not a peer that died. */
    public boolean beforeThisProcess(Instant lastHeartbeat) {
        return lastHeartbeat.isBefore(started);
    }

    private static long parse(String digits) {
        if (digits.isEmpty() || digits.length() > 18 || !digits.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        return Long.parseLong(digits);
    }
}
