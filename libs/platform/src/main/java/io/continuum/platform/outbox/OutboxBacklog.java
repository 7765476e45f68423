package io.continuum.platform.outbox;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.atomic.AtomicLongArray;
import org.jboss.logging.Logger;

/**
 * Gauges of what waits in the outbox, per lane: {@code continuum.outbox.backlog{lane}} (rows) and
 * {@code continuum.outbox.oldest.age{lane}} (seconds since the oldest row was written). Refreshed by one grouped
 * query on the {@code (lane, id)} index every {@code continuum.outbox.backlog-refresh} (15 s), never on the write
 * path. A backlog that grows, or an age above a few seconds, means the relay cannot publish (Kafka down, or a lane
 * stuck): docs/operations.md.
 */
@ApplicationScoped
public class OutboxBacklog {

    private static final Logger LOG = Logger.getLogger(OutboxBacklog.class);

    private final Pool pool;
    private final AtomicLongArray rows;
    private final AtomicLongArray oldestMillis;

    public OutboxBacklog(Pool pool, OutboxConfig config, MeterRegistry registry) {
        this.pool = pool;
        this.rows = new AtomicLongArray(config.lanes());
        this.oldestMillis = new AtomicLongArray(config.lanes());
        for (int lane = 0; lane < config.lanes(); lane++) {
            int l = lane;
            Gauge.builder("continuum.outbox.backlog", rows, r -> r.get(l)).tag("lane", Integer.toString(l))
                    .description("outbox rows not yet published").register(registry);
            Gauge.builder("continuum.outbox.oldest.age", oldestMillis, r -> r.get(l) / 1000.0).tag("lane", Integer.toString(l))
                    .baseUnit("seconds").description("age of the oldest unpublished outbox row").register(registry);
        }
    }

    @Scheduled(every = "${continuum.outbox.backlog-refresh:15s}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduledRefresh() {
        return refresh().onFailure().recoverWithUni(e -> {
            LOG.debugf("outbox backlog not measured: %s", e.getMessage());
            return Uni.createFrom().voidItem();
        });
    }

    /** Reads the backlog now (the gauges keep the last reading). */
    public Uni<Void> refresh() {
        return pool.query("select lane, count(*) as n, "
                        + "(extract(epoch from (clock_timestamp() - min(created_at))) * 1000)::bigint as age "
                        + "from outbox group by lane")
                .execute()
                .invoke(result -> {
                    long[] n = new long[rows.length()];
                    long[] age = new long[rows.length()];
                    for (Row row : result) {
                        int lane = row.getInteger("lane");
                        if (lane >= 0 && lane < n.length) {
                            n[lane] = row.getLong("n");
                            age[lane] = Math.max(0, row.getLong("age"));
                        }
                    }
                    for (int i = 0; i < n.length; i++) {
                        rows.set(i, n[i]);
                        oldestMillis.set(i, age[i]);
                    }
                })
                .replaceWithVoid();
    }

    public long rows(int lane) {
        return rows.get(lane);
    }

    public double oldestAgeSeconds(int lane) {
        return oldestMillis.get(lane) / 1000.0;
    }
}
