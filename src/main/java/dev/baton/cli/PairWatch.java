package dev.baton.cli;

import dev.baton.broker.Replication;
import org.apache.activemq.artemis.core.server.ActiveMQServer;

/**
 * Prints when a broker of a replicating pair changes state (a backup in sync, a backup taking over, a fail-back), so
 * that an operator, a container's log or a test can see whether the pair is ready to lose a broker.
 */
final class PairWatch implements Runnable {
    private final ActiveMQServer server;
    private final Replication replication;
    private final String self;
    private final Runnable onTakeOver;

    private PairWatch(ActiveMQServer server, Replication replication, String self, Runnable onTakeOver) {
        this.server = server;
        this.replication = replication;
        this.self = self;
        this.onTakeOver = onTakeOver;
    }

    /** Watches on a daemon thread until the process ends. */
    static void start(ActiveMQServer server, Replication replication, String self, Runnable onTakeOver) {
        Thread t = new Thread(new PairWatch(server, replication, self, onTakeOver), "baton-pair-watch");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void run() {
        boolean active = server.isActive();
        boolean inSync = false;
        try {
            while (!Thread.currentThread().isInterrupted()) {
                // Artemis keeps these as plain fields: polling them costs nothing and needs no internal callback API.
                boolean activeNow = server.isActive();
                if (activeNow != active) {
                    if (activeNow) {
                        onTakeOver.run();
                        System.out.println("took over: active, listening on tcp://" + self);
                    } else {
                        System.out.println("handed the work back to the broker at " + replication.peer()
                                + " (fail-back): replicating it again");
                    }
                    active = activeNow;
                    inSync = false;
                }
                boolean syncNow = server.isReplicaSync();
                if (syncNow != inSync) {
                    // Active, the other broker is this one's backup; passive, this one is the other's.
                    System.out.println(
                            active
                                    ? (syncNow
                                            ? "the backup at " + replication.peer() + " is in sync"
                                            : "no backup in sync: this broker is alone")
                                    : (syncNow
                                            ? "in sync with the active broker at " + replication.peer()
                                                    + ": this one can take over"
                                            : "not in sync with the broker at " + replication.peer()
                                                    + " (gone, or still copying its journal)"));
                    inSync = syncNow;
                }
                System.out.flush();
                Thread.sleep(200);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
