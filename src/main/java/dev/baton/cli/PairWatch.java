package dev.baton.cli;

import dev.baton.broker.Replication;
import org.apache.activemq.artemis.core.server.ActiveMQServer;

/**
 * Prints when a broker of a replicating pair changes state (the backup in sync, the backup taking over), so that an
 * operator, a container's log or a test can see the pair is ready to lose a broker.
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
        boolean backup = replication.role() == Replication.Role.BACKUP;
        boolean inSync = false;
        boolean active = !backup;
        try {
            while (!Thread.currentThread().isInterrupted()) {
                // Artemis keeps these as plain fields: polling them costs nothing and needs no internal callback API.
                boolean syncNow = server.isReplicaSync();
                if (syncNow != inSync && (backup ? !active : true)) {
                    System.out.println(syncNow
                            ? (backup ? "backup in sync with the primary at " + replication.peer()
                                    + ": it can take over" : "the backup at " + replication.peer() + " is in sync")
                            : (backup ? "backup out of sync with the primary" : "the backup at " + replication.peer()
                                    + " is not replicating: this broker is alone"));
                    inSync = syncNow;
                }
                if (backup && !active && server.isActive()) {
                    active = true;
                    onTakeOver.run();
                    System.out.println("backup took over: active, listening on tcp://" + self);
                }
                System.out.flush();
                Thread.sleep(200);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
