package io.continuum.notification.api;

import io.continuum.notification.config.NotificationConfig;
import io.continuum.notification.live.ConnectionRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.websockets.next.HttpUpgradeCheck;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Admission control of {@code /ws}: a replica over its socket budget, or whose heap is still nearly full after the
 * last garbage collection, refuses new upgrades with 503 and {@code Retry-After} (jittered by the SDK) instead of
 * falling over in a reconnect storm; the device goes to another replica or comes back later. Refusals are counted in
 * {@code continuum.notification.upgrades.refused} (tag {@code reason}: {@code sockets}, {@code memory}); the socket
 * count is the gauge {@code continuum.notification.sockets} (what the autoscaler scales on).
 */
@ApplicationScoped
public class AdmissionCheck implements HttpUpgradeCheck {

    private static final Logger LOG = Logger.getLogger(AdmissionCheck.class);

    private final ConnectionRegistry registry;
    private final NotificationConfig.Admission config;
    private final Counter refusedSockets;
    private final Counter refusedMemory;
    private final List<MemoryPoolMXBean> heapPools;
    private volatile int maxSockets;
    private volatile double maxHeapRatio;

    public AdmissionCheck(ConnectionRegistry registry, NotificationConfig config, MeterRegistry meters) {
        this.registry = registry;
        this.config = config.admission();
        this.maxSockets = this.config.maxSockets();
        this.maxHeapRatio = this.config.maxHeapRatio();
        this.refusedSockets = Counter.builder("continuum.notification.upgrades.refused").tag("reason", "sockets")
                .description("WebSocket upgrades refused with 503 (admission control)").register(meters);
        this.refusedMemory = Counter.builder("continuum.notification.upgrades.refused").tag("reason", "memory")
                .description("WebSocket upgrades refused with 503 (admission control)").register(meters);
        Gauge.builder("continuum.notification.sockets", registry, ConnectionRegistry::size)
                .description("Open device sockets on this replica").register(meters);
        this.heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP && p.isCollectionUsageThresholdSupported()).toList();
    }

    @Override
    public boolean appliesTo(String endpointId) {
        return true;
    }

    @Override
    public Uni<CheckResult> perform(HttpUpgradeContext context) {
        if (registry.size() >= maxSockets) {
            refusedSockets.increment();
            LOG.debugf("upgrade refused: %d sockets open (budget %d)", registry.size(), maxSockets);
            return refuse();
        }
        if (heapAfterGc() > maxHeapRatio) {
            refusedMemory.increment();
            LOG.debugf("upgrade refused: heap after the last collection at %.0f%%", heapAfterGc() * 100);
            return refuse();
        }
        return CheckResult.permitUpgrade();
    }

    private Uni<CheckResult> refuse() {
        long seconds = Math.max(1, config.retryAfter().toSeconds());
        return CheckResult.rejectUpgrade(503, Map.of("Retry-After", List.of(Long.toString(seconds))));
    }

    /** Heap in use after the last garbage collection, as a share of the maximum (0 when unknown). */
    double heapAfterGc() {
        long used = 0;
        long max = 0;
        for (MemoryPoolMXBean p : heapPools) {
            MemoryUsage u = p.getCollectionUsage();
            if (u == null || u.getMax() <= 0) {
                continue;
            }
            used += u.getUsed();
            max += u.getMax();
        }
        return max == 0 ? 0 : (double) used / max;
    }

    /** Changes the memory budget (share of the heap in use after the last collection) at run time (operations; tests). */
    public void maxHeapRatio(double ratio) {
        this.maxHeapRatio = ratio;
    }

    /** Changes the socket budget at run time (operations; tests). */
    public void maxSockets(int budget) {
        this.maxSockets = budget;
    }
}
