package dev.baton.broker;

import java.util.ArrayList;
import java.util.List;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.paging.PagingManager;
import org.apache.activemq.artemis.core.paging.PagingStore;
import org.apache.activemq.artemis.core.server.ActiveMQServer;
import org.apache.activemq.artemis.core.settings.impl.AddressFullMessagePolicy;

/**
 * Whether the embedded broker blocks producers, and why: its disk is full (free space below broker.xml's
 * {@code min-disk-free}, or used above {@code max-disk-usage}), all addresses together reached
 * {@code global-max-size}, or an address with the BLOCK policy is full. While it does, every send waits: runs make
 * no progress, though nothing is lost.
 */
public final class BrokerHealth {
    /** UP, DEGRADED (producers blocked) or DOWN (not running), with the reason when not UP. */
    public record State(String status, String reason) {}

    private BrokerHealth() {}

    public static State of(ActiveMQServer server) {
        if (server == null || !server.isActive()) {
            return new State("DOWN", "the embedded broker is not running");
        }
        PagingManager paging = server.getPagingManager();
        List<String> blocking = new ArrayList<>();
        if (paging.isDiskFull()) {
            var config = server.getConfiguration();
            blocking.add("its disk is full: " + megabytes(paging.getDiskUsableSpace()) + " free of "
                    + megabytes(paging.getDiskTotalSpace()) + " (broker.xml: min-disk-free "
                    + megabytes(config.getMinDiskFree()) + ", max-disk-usage " + config.getMaxDiskUsage()
                    + " %; baton.broker.min-disk-free); free space on the disk of the broker's data folder");
        }
        if (paging.isGlobalFull()) {
            blocking.add("its addresses together reached global-max-size");
        }
        for (SimpleString name : paging.getStoreNames()) {
            try {
                PagingStore store = paging.getPageStore(name);
                if (store != null
                        && store.isFull()
                        && store.getAddressFullMessagePolicy() == AddressFullMessagePolicy.BLOCK) {
                    blocking.add("address " + name + " is full (max-size-bytes " + store.getMaxSize() + ")");
                }
            } catch (Exception e) {
                // a store removed meanwhile: nothing to report for it
            }
        }
        if (blocking.isEmpty()) {
            return new State("UP", null);
        }
        return new State(
                "DEGRADED",
                "the broker blocks producers, so no run makes progress until this is solved: "
                        + String.join("; ", blocking));
    }

    private static String megabytes(long bytes) {
        return bytes < 0 ? "unknown" : (bytes / (1024 * 1024)) + " MB";
    }
}
