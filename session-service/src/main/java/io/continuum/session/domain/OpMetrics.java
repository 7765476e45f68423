package io.continuum.session.domain;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code continuum.state.ops{status, reason}}: ops answered, counted once their batch committed. {@code status} is
 * applied, rejected or duplicate; {@code reason} the rejection reason ({@link Rejections}, a fixed set) or
 * {@code none}. A rising {@code rejected} rate names what devices get wrong (docs/operations.md).
 */
@ApplicationScoped
public class OpMetrics {

    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    public OpMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void record(BatchOutcome outcome) {
        for (OpResult r : outcome.results()) {
            String reason = r.reason() == null ? "none" : r.reason();
            counters.computeIfAbsent(r.status() + '|' + reason, k -> Counter.builder("continuum.state.ops")
                    .description("sync ops answered, by status and rejection reason")
                    .tag("status", r.status()).tag("reason", reason)
                    .register(registry)).increment();
        }
    }
}
