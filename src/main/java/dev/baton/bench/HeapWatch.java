package dev.baton.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * The heap while a window is measured: the sum of the heap pools' peaks (garbage included, so an upper bound) and the
 * largest heap a collection left behind (what was still reachable, or at least not yet collected).
 */
final class HeapWatch implements NotificationListener {
    /** Both figures in bytes. */
    record Peaks(long used, long afterGc) {}

    private final Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP)
            .map(MemoryPoolMXBean::getName)
            .collect(Collectors.toUnmodifiableSet());
    private final AtomicLong afterGc = new AtomicLong();

    /** Starts watching: resets the pools' peaks and listens to every collector. */
    static HeapWatch start() {
        HeapWatch watch = new HeapWatch();
        ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
        for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            ((NotificationEmitter) gc).addNotificationListener(watch, null, null);
        }
        return watch;
    }

    /**
     * Stops watching. A last full collection (after the clock stopped) gives the heap still reachable at the end, so
     * even a window without a collection has an after-collection figure.
     */
    Peaks stop() {
        long used = 0;
        for (var pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                used += pool.getPeakUsage().getUsed();
            }
        }
        System.gc();
        afterGc.accumulateAndGet(
                ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max);
        for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            try {
                ((NotificationEmitter) gc).removeNotificationListener(this);
            } catch (ListenerNotFoundException e) {
                throw new IllegalStateException(e);
            }
        }
        return new Peaks(used, afterGc.get());
    }

    @Override
    public void handleNotification(Notification n, Object handback) {
        if (!n.getType().equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) {
            return;
        }
        var info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
        long heap = info.getGcInfo().getMemoryUsageAfterGc().entrySet().stream()
                .filter(e -> heapPools.contains(e.getKey()))
                .mapToLong(e -> e.getValue().getUsed())
                .sum();
        afterGc.accumulateAndGet(heap, Math::max);
    }
}
