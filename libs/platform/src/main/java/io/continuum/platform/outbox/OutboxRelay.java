package io.continuum.platform.outbox;

import io.continuum.platform.kafka.Backoff;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgConnectOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Publishes outbox rows to Kafka, in id order per lane, and deletes them once Kafka has acknowledged them.
 *
 * <p>Woken by PostgreSQL LISTEN/NOTIFY (a trigger notifies on every committed insert), with a slow backstop
 * timer for notifications lost while the listener reconnects. A wake-up drains the lanes with rows inside one
 * transaction holding {@code pg_try_advisory_xact_lock(lane)} for each, so with several replicas exactly one relay
 * drains a lane at a time and an account's events (always in one lane) leave in commit order. Publishing is at-least-once: if Kafka
 * acknowledged a batch but the delete did not commit, the batch is sent again and consumers drop the duplicates
 * by event id. While Kafka is down the rows stay, and the relay retries with exponential backoff.
 *
 * <p>The loop runs on its own thread with blocking calls: a Kafka send may block on metadata while the broker is
 * down, which must never happen on an event loop.
 */
@ApplicationScoped
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    /** Namespace of the advisory locks (first int of the two-int form); the lane is the second. */
    static final int LOCK_NAMESPACE = 0x0C0B0C5;
    static final String CHANNEL = "continuum_outbox";
    /** The lanes that have rows ({@code $1} = number of lanes), one index probe per lane. */
    private static final String BUSY_LANES =
            "select l from generate_series(0, $1 - 1) as l where exists (select 1 from outbox where lane = l)";

    private final Pool pool;
    private final Vertx vertx;
    private final OutboxConfig config;
    private final OutboxPublisher publisher;
    private final String dbUrl;
    private final java.util.Optional<String> listenUrl;
    private final String dbUser;
    private final String dbPassword;
    private final Counter published;
    private final Counter failures;
    private final Timer lag;

    /** Released by NOTIFY; the loop drains whenever it acquires a permit or the backstop expires. */
    private final Semaphore wakeUp = new Semaphore(0);
    private volatile boolean running;
    private Thread thread;
    private NotifyListener listener;

    public OutboxRelay(
            Pool pool,
            Vertx vertx,
            OutboxConfig config,
            OutboxPublisher publisher,
            MeterRegistry registry,
            @ConfigProperty(name = "quarkus.datasource.reactive.url") String dbUrl,
            @ConfigProperty(name = "continuum.outbox.listen-url") java.util.Optional<String> listenUrl,
            @ConfigProperty(name = "quarkus.datasource.username") String dbUser,
            @ConfigProperty(name = "quarkus.datasource.password") String dbPassword) {
        this.pool = pool;
        this.vertx = vertx;
        this.config = config;
        this.publisher = publisher;
        this.dbUrl = dbUrl;
        this.listenUrl = listenUrl;
        this.dbUser = dbUser;
        this.dbPassword = dbPassword;
        this.published = registry.counter("continuum.outbox.published");
        this.failures = registry.counter("continuum.outbox.publish.failures");
        this.lag = Timer.builder("continuum.outbox.lag")
                .description("Time from outbox insert to Kafka acknowledgement")
                .publishPercentiles(0.5, 0.99)
                .register(registry);
        registry.gauge("continuum.outbox.listening", this, r -> r.listening() ? 1 : 0);
    }

    void start(@Observes StartupEvent event) {
        if (!config.relayEnabled()) {
            LOG.info("Outbox relay disabled (continuum.outbox.relay-enabled=false)");
            return;
        }
        running = true;
        listen();
        thread = new Thread(this::loop, "outbox-relay");
        thread.setDaemon(true);
        thread.start();
        LOG.infof("Outbox relay started: %d lanes, backstop %s", config.lanes(), config.backstopInterval());
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        wakeUp.release();
        if (listener != null) {
            listener.stop();
        }
        if (thread != null) {
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        publisher.close();
    }

    /** Wakes the relay now (also used by tests and by writers that want to skip the NOTIFY round trip). */
    public void wakeUp() {
        wakeUp.release();
    }

    /** Whether the LISTEN connection is up (NOTIFY wakes the relay at once); otherwise only the backstop drains. */
    public boolean listening() {
        return listener != null && listener.listening();
    }

    private void listen() {
        PgConnectOptions options = PgConnectOptions.fromUri(listenUrl.orElse(dbUrl)).setUser(dbUser).setPassword(dbPassword);
        listener = new NotifyListener(vertx, options, CHANNEL, new Backoff(config.initialBackoff(), config.maxBackoff()), this::wakeUp);
        listener.start();
    }

    private void loop() {
        Backoff backoff = new Backoff(config.initialBackoff(), config.maxBackoff());
        while (running) {
            try {
                wakeUp.tryAcquire(config.backstopInterval().toMillis(), TimeUnit.MILLISECONDS);
                wakeUp.drainPermits();
                if (!running) {
                    return;
                }
                drainAllLanes();
                backoff.reset();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                failures.increment();
                LOG.warnf("Outbox publish failed (%s); retrying in %d ms", rootMessage(e), backoff.next().toMillis());
                if (!backoff.pause()) {
                    return;
                }
                wakeUp.release(); // rows are still there: try again
            }
        }
    }

    private void drainAllLanes() {
        boolean more = true;
        while (more && running) {
            more = drainOnce();
        }
    }

    /**
     * The lanes that have rows now, in one statement (one index probe per lane). Diagnostics and tests; the relay
     * itself finds and locks them in {@link #drainOnce}.
     */
    List<Integer> lanesWithRows() {
        List<Integer> lanes = new ArrayList<>(config.lanes());
        for (Row row : pool.preparedQuery(BUSY_LANES).executeAndAwait(Tuple.of(config.lanes()))) {
            lanes.add(row.getInteger(0));
        }
        return lanes;
    }

    /**
     * One wake-up in one transaction: lock every lane that has rows and that no other relay holds
     * ({@code pg_try_advisory_xact_lock}), read up to a batch of each, publish them all, delete them, commit. Five
     * round trips whatever the number of busy lanes; it used to be one transaction per lane (begin, lock, select,
     * delete, commit each), which at a few hundred writes/s across accounts cost the database more than the writes.
     * Returns whether a lane had a full batch (more rows may be waiting).
     */
    boolean drainOnce() {
        SqlConnection connection = pool.getConnectionAndAwait();
        try {
            Transaction tx = connection.beginAndAwait();
            try {
                List<Integer> lanes = new ArrayList<>(config.lanes());
                // materialized: only lanes that hold rows are locked (the planner may not reorder the lock before the probe)
                for (Row row : connection.preparedQuery("with busy as materialized (" + BUSY_LANES + ")"
                                + " select l from busy where pg_try_advisory_xact_lock($2, l)")
                        .executeAndAwait(Tuple.of(config.lanes(), LOCK_NAMESPACE))) {
                    lanes.add(row.getInteger(0));
                }
                if (lanes.isEmpty()) {
                    tx.rollbackAndAwait();
                    return false;
                }
                List<OutboxPublisher.Message> batch = new ArrayList<>();
                List<Long> ids = new ArrayList<>();
                List<OffsetDateTime> created = new ArrayList<>();
                java.util.Map<Integer, Integer> perLane = new java.util.HashMap<>();
                for (Row row : connection.preparedQuery("select o.id, o.lane, o.topic, o.message_key, o.payload, o.created_at, o.traceparent"
                                + " from unnest($1::int[]) as l cross join lateral"
                                + " (select * from outbox where lane = l order by id limit $2) as o order by o.lane, o.id")
                        .executeAndAwait(Tuple.of(lanes.toArray(new Integer[0]), config.batchSize()))) {
                    ids.add(row.getLong("id"));
                    perLane.merge((int) row.getShort("lane"), 1, Integer::sum);
                    created.add(row.getOffsetDateTime("created_at"));
                    batch.add(new OutboxPublisher.Message(row.getString("topic"), row.getString("message_key"), row.getString("payload"),
                            row.getString("traceparent")));
                }
                if (batch.isEmpty()) {
                    tx.rollbackAndAwait();
                    return false;
                }
                publisher.publishAll(batch); // throws if any record was not acknowledged; an account's rows stay in id order
                connection.preparedQuery("delete from outbox where id = any($1)")
                        .executeAndAwait(Tuple.of(ids.toArray(new Long[0])));
                tx.commitAndAwait();
                published.increment(batch.size());
                Instant now = Instant.now();
                created.forEach(c -> lag.record(Duration.between(c.toInstant(), now)));
                return perLane.values().stream().anyMatch(n -> n == config.batchSize());
            } catch (RuntimeException e) {
                tx.rollbackAndAwait();
                throw e;
            }
        } finally {
            connection.closeAndAwait();
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }
}
