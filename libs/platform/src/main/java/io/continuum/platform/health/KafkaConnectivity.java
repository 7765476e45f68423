package io.continuum.platform.health;

import io.continuum.platform.kafka.KafkaClientSettings;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.health.api.HealthGroup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;

/**
 * Whether Kafka answers, as information only: the {@code kafka} health group ({@code /q/health/group/kafka}) and
 * the gauge {@code continuum.kafka.reachable} (1/0, refreshed every 15 s). It is deliberately <b>not</b> a readiness
 * or liveness check: every write is stored with its outbox row in PostgreSQL and the relay publishes once Kafka is
 * back, so a Kafka outage must not take every pod out of rotation (readiness) or restart them (liveness) — that
 * would turn a degraded event flow into a full outage. Alert on the gauge and on {@code continuum.outbox.lag}
 * instead (docs/operations.md).
 */
@ApplicationScoped
@HealthGroup("kafka")
public class KafkaConnectivity implements HealthCheck {

    private static final long TIMEOUT_MS = 2_000;

    private final KafkaClientSettings kafka;
    private volatile AdminClient admin;
    private volatile boolean reachable;
    private volatile String lastError = "not checked yet";

    public KafkaConnectivity(KafkaClientSettings kafka, MeterRegistry registry) {
        this.kafka = kafka;
        registry.gauge("continuum.kafka.reachable", this, k -> k.reachable ? 1 : 0);
    }

    @Override
    public HealthCheckResponse call() {
        boolean up = probe();
        return HealthCheckResponse.named("kafka (informational, not part of readiness)")
                .status(up)
                .withData("bootstrap.servers", kafka.bootstrapServers())
                .withData("security.protocol", kafka.securityProtocol())
                .withData("error", up ? "" : lastError)
                .build();
    }

    @Scheduled(every = "15s", delayed = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refresh() {
        probe();
    }

    /** Asks the cluster for its nodes (≤ 2 s); blocking, so only on worker threads. */
    boolean probe() {
        try {
            int nodes = admin().describeCluster(new DescribeClusterOptions().timeoutMs((int) TIMEOUT_MS))
                    .nodes().get(TIMEOUT_MS + 500, TimeUnit.MILLISECONDS).size();
            reachable = nodes > 0;
            lastError = reachable ? "" : "no broker in the cluster";
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            reachable = false;
            lastError = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        }
        return reachable;
    }

    private AdminClient admin() {
        AdminClient a = admin;
        if (a == null) {
            synchronized (this) {
                if (admin == null) {
                    Map<String, Object> props = kafka.applyTo(new HashMap<>());
                    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT_MS);
                    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT_MS);
                    props.put(AdminClientConfig.CLIENT_ID_CONFIG, "continuum-kafka-health");
                    admin = AdminClient.create(props);
                }
                a = admin;
            }
        }
        return a;
    }

    void stop(@Observes ShutdownEvent event) {
        AdminClient a = admin;
        if (a != null) {
            a.close(java.time.Duration.ofSeconds(1));
        }
    }
}
