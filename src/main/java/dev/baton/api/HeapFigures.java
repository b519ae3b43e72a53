package dev.baton.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.pipeline.Json;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryType;

/** The heap figures {@code /api/health} reports. */
final class HeapFigures {
    private HeapFigures() {}

    /**
     * Heap figures in MiB: used now (garbage included), live after the last collection of each pool (what the
     * process really holds), the sum of the pools' peaks since start (a loose upper bound), and the limit.
     */
    static ObjectNode now() {
        var memory = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        long peak = 0;
        long live = 0;
        for (var pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
                var afterGc = pool.getCollectionUsage();
                live += afterGc == null ? pool.getUsage().getUsed() : afterGc.getUsed();
            }
        }
        long mib = 1024 * 1024;
        return Json.object()
                .put("usedMiB", memory.getUsed() / mib)
                .put("liveMiB", live / mib)
                .put("peakMiB", peak / mib)
                .put("maxMiB", memory.getMax() / mib);
    }
}
