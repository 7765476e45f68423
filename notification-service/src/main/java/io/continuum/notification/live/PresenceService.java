package io.continuum.notification.live;

import io.continuum.events.CloudEvent;
import io.continuum.events.EventTypes;
import io.continuum.events.notification.PresenceChanged;
import io.continuum.notification.config.NotificationConfig;
import io.continuum.notification.config.ReplicaId;
import io.continuum.notification.domain.Json;
import io.continuum.notification.messaging.FrameRouter;
import io.continuum.platform.outbox.Outbox;
import io.continuum.platform.tracing.Traces;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Which devices of an account are online, across replicas: every live socket is a row of {@code device_presence}
 * tagged with its replica; replicas heart-beat in {@code replica}, and rows of a replica silent for 30 s are swept.
 *
 * <p><b>Events.</b> When a device's first socket opens (or its last one goes, closed or swept with a dead replica),
 * {@code continuum.presence.changed.v1} goes to {@code notification.events} through the outbox, in the transaction
 * that changes the rows. Each such transaction first takes a transaction-scoped advisory lock on the (account,
 * device) pair, so two sockets of one device opening or closing together are serialized: the second one sees the
 * first one's committed row change, and exactly one "online" / "offline" is published.
 *
 * <p><b>Frames.</b> Devices are told with a coalesced snapshot, not one frame per change: the accounts whose devices
 * came or went are collected, and every {@code frame-interval} each of them gets one {@code presence} frame listing
 * its online devices (coalescing key {@code presence}, latest wins in every socket's queue). n devices of an account
 * connecting within an interval cost one query and one frame per socket, not n² frames.
 */
@ApplicationScoped
public class PresenceService {

    private static final Logger LOG = Logger.getLogger(PresenceService.class);
    static final Duration STALE = Duration.ofSeconds(30);

    /** The condition "{@code alias}'s row belongs to a replica that heart-beat within {@link #STALE}". */
    private static String alive(String alias) {
        return alias + ".replica_id in (select replica_id from replica where last_seen > now() - interval '"
                + STALE.toSeconds() + " seconds')";
    }

    private final Pool pool;
    private final ReplicaId replica;
    private final Outbox outbox;
    private final FrameRouter router;
    private final Vertx vertx;
    private final Duration frameInterval;
    private final int snapshotLimit;
    private final Traces traces;
    private final Set<String> changedAccounts = ConcurrentHashMap.newKeySet();
    private long timer = -1;

    public PresenceService(Pool pool, ReplicaId replica, Outbox outbox, FrameRouter router, NotificationConfig config,
            Vertx vertx, Traces traces) {
        this.pool = pool;
        this.replica = replica;
        this.outbox = outbox;
        this.router = router;
        this.vertx = vertx;
        this.frameInterval = config.presence().frameInterval();
        this.snapshotLimit = config.presence().snapshotLimit();
        this.traces = traces;
    }

    void start(@Observes StartupEvent e) {
        heartbeat().await().atMost(Duration.ofSeconds(10));
        timer = vertx.setPeriodic(Math.max(10, frameInterval.toMillis()), id -> tell());
    }

    void stop(@Observes ShutdownEvent e) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        try {
            pool.preparedQuery("delete from device_presence where replica_id = $1").execute(Tuple.of(replica.get()))
                    .chain(() -> pool.preparedQuery("delete from replica where replica_id = $1").execute(Tuple.of(replica.get())))
                    .await().atMost(Duration.ofSeconds(3));
        } catch (RuntimeException ex) {
            LOG.debugf("presence cleanup at shutdown failed: %s", ex.getMessage());
        }
    }

    @Scheduled(every = "10s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> beat() {
        return heartbeat()
                .chain(this::sweep)
                .replaceWithVoid()
                .onFailure().recoverWithItem(err -> {
                    LOG.warnf("presence heartbeat failed: %s", err.getMessage());
                    return null;
                });
    }

    private Uni<Void> heartbeat() {
        return pool.preparedQuery("""
                        insert into replica (replica_id, last_seen) values ($1, now())
                        on conflict (replica_id) do update set last_seen = now()""")
                .execute(Tuple.of(replica.get())).replaceWithVoid();
    }

    private record DeviceKey(String accountId, String deviceId) {
        /** The key of the device's presence lock; every batch and sweep takes its locks sorted by it. */
        String lockKey() {
            return accountId + "\n" + deviceId;
        }
    }

    /** Rows of dead replicas deleted (and their devices' "offline" published) per sweep transaction. */
    static final int SWEEP_BATCH = 200;

    /**
     * Removes the rows of replicas that stopped heart-beating (crashed without their shutdown cleanup) and publishes
     * "offline" for every device that had its last socket there, in the same transaction. Replicas sweeping at once
     * delete each row once ({@code delete … returning}), so each device gets one event. Returns how many devices went
     * offline.
     *
     * <p>In transactions of at most {@value #SWEEP_BATCH} rows: each transaction holds the presence lock of every
     * device it swept until it commits, and a device reconnecting meanwhile waits for that lock. One transaction for
     * a dead replica's 10,000 sockets held 10,000 locks for the seconds it took (3 round trips per device), and every
     * device of it that had already reconnected elsewhere waited for the whole sweep. Devices are locked in a fixed
     * order (two sweepers never wait for each other in a cycle).
     */
    public Uni<Integer> sweep() {
        return sweepFrom(0);
    }

    private Uni<Integer> sweepFrom(int offlineSoFar) {
        return sweepBatch().chain(b -> b.rows() < SWEEP_BATCH
                ? Uni.createFrom().item(offlineSoFar + b.offline())
                : sweepFrom(offlineSoFar + b.offline()))
                .invoke(n -> {
                    if (offlineSoFar == 0 && n > 0) {
                        LOG.infof("swept presence of dead replicas: %d devices offline", n);
                    }
                });
    }

    private record Swept(int rows, int offline) {
    }

    private static final String SWEEP_DELETE = "delete from device_presence where connection_id in ("
            + " select connection_id from device_presence d where not (" + alive("d") + ")"
            + " limit $1 for update skip locked) returning account_id, device_id";
    // each swept device's sockets on live replicas; sent right after the lock statement, so its snapshot sees what the
    // previous holders of the devices' locks committed (a device that reconnected elsewhere meanwhile stays online)
    private static final String OTHERS_ALL = """
            select k.account_id, k.device_id, (select count(*) from device_presence p where p.account_id = k.account_id
              and p.device_id = k.device_id and\s""" + alive("p") + """
            ) as others from unnest($1::text[], $2::text[]) as k(account_id, device_id)""";

    /**
     * One sweep transaction, in the batch writes' shape: the rows deleted (one statement), then the swept devices'
     * locks and their remaining sockets sent together, then every "offline" event in one round trip. A constant number
     * of round trips per batch, whatever the number of devices (it was three per device, through Hibernate, whose
     * auto-flush before each native query made a batch quadratic in the events it had persisted).
     */
    private Uni<Swept> sweepBatch() {
        Instant at = Instant.now();
        return pool.withTransaction(conn -> conn.preparedQuery(SWEEP_DELETE).execute(Tuple.of(SWEEP_BATCH)).chain(deleted -> {
                    // sorted like every batch's locks: a sweep and a batch never wait for each other in a cycle
                    java.util.TreeSet<DeviceKey> devices = new java.util.TreeSet<>(java.util.Comparator.comparing(DeviceKey::lockKey));
                    for (Row r : deleted) {
                        devices.add(new DeviceKey(r.getString(0), r.getString(1)));
                    }
                    if (devices.isEmpty()) {
                        return Uni.createFrom().item(new SweptRows(0, List.of()));
                    }
                    String[] lockKeys = devices.stream().map(DeviceKey::lockKey).toArray(String[]::new);
                    Tuple keys = Tuple.tuple()
                            .addArrayOfString(devices.stream().map(DeviceKey::accountId).toArray(String[]::new))
                            .addArrayOfString(devices.stream().map(DeviceKey::deviceId).toArray(String[]::new));
                    return Uni.combine().all().unis(
                                    conn.preparedQuery(LOCK_ALL).execute(Tuple.tuple().addArrayOfString(lockKeys)),
                                    conn.preparedQuery(OTHERS_ALL).execute(keys))
                            .asTuple().chain(done -> {
                                List<DeviceKey> offline = new ArrayList<>();
                                List<CloudEvent> events = new ArrayList<>();
                                for (Row r : done.getItem2()) {
                                    if (r.getLong("others") == 0) {
                                        DeviceKey d = new DeviceKey(r.getString("account_id"), r.getString("device_id"));
                                        offline.add(d);
                                        events.add(outbox.event(EventTypes.PRESENCE_CHANGED, d.accountId(), d.deviceId(), null,
                                                new PresenceChanged(d.deviceId(), false, at)));
                                    }
                                }
                                return outbox.appendAll(conn, events).replaceWith(new SweptRows(deleted.rowCount(), offline));
                            });
                }))
                .invoke(swept -> swept.offline().forEach(d -> changed(d.accountId())))
                .map(swept -> new Swept(swept.rows(), swept.offline().size()));
    }

    private record SweptRows(int rows, List<DeviceKey> offline) {
    }

    /**
     * Records a new socket; on the device's first one, publishes the change. The Uni completes (on the caller's
     * context) once the row is committed.
     *
     * <p>Connects are written in batches ({@link PresenceBatches}): while one batch's transaction runs, the connects
     * that arrive queue, and the next transaction writes all of them (at most {@value #BATCH}). A lone connect is
     * written at once; in a reconnect storm thousands of connects share a few transactions instead of queueing
     * thousands of them for the pool. A batch takes the presence locks of its devices in one statement, in a fixed
     * order (no deadlock with another batch or a sweep), then inserts every row and counts each device's other sockets
     * in one statement, then writes every "online" event in one round trip.
     */
    public Uni<Void> connected(DeviceConnection c) {
        return connects.add(c);
    }

    /**
     * Forgets a socket; when it was the device's last one, publishes the change. Batched like {@link #connected}: a
     * replica losing its network, or a deploy, closes thousands of sockets at once.
     */
    public Uni<Void> disconnected(DeviceConnection c) {
        return disconnects.add(c);
    }

    /** Most sockets written by one presence transaction. */
    static final int BATCH = 500;

    private final PresenceBatches connects = new PresenceBatches(this::writeConnects);
    private final PresenceBatches disconnects = new PresenceBatches(this::writeDisconnects);

    /** A socket waiting for its presence write, and whom to tell (on its own context) when it is committed. */
    private record Pending(DeviceConnection c, Instant at, String traceparent, Context caller, UniEmitter<? super Void> done) {

        DeviceKey device() {
            return new DeviceKey(c.accountId(), c.deviceId());
        }

        void complete(Throwable failure) {
            Runnable tell = () -> {
                if (failure == null) {
                    done.complete(null);
                } else {
                    done.fail(failure);
                }
            };
            if (caller != null) {
                caller.runOnContext(v -> tell.run());
            } else {
                tell.run();
            }
        }
    }

    /**
     * One queue of presence writes with at most one transaction running: what arrives meanwhile is written by the next
     * one (group commit). The writer answers the devices whose presence changed (their event is written).
     */
    private final class PresenceBatches {
        private final java.util.function.Function<List<Pending>, Uni<List<DeviceKey>>> writer;
        private final ArrayDeque<Pending> waiting = new ArrayDeque<>(); // guarded by itself
        private boolean running; // guarded by waiting

        PresenceBatches(java.util.function.Function<List<Pending>, Uni<List<DeviceKey>>> writer) {
            this.writer = writer;
        }

        Uni<Void> add(DeviceConnection c) {
            Instant at = Instant.now();
            String trace = traces.current();
            Context caller = Vertx.currentContext();
            return Uni.createFrom().emitter(done -> queue(new Pending(c, at, trace, caller, done)));
        }

        private void queue(Pending p) {
            synchronized (waiting) {
                waiting.add(p);
                if (running) {
                    return; // the running batch starts the next one when it ends
                }
                running = true;
            }
            writeNext();
        }

        private void writeNext() {
            List<Pending> batch = new ArrayList<>();
            synchronized (waiting) {
                while (!waiting.isEmpty() && batch.size() < BATCH) {
                    batch.add(waiting.poll());
                }
                if (batch.isEmpty()) {
                    running = false;
                    return;
                }
            }
            Uni.createFrom().deferred(() -> writer.apply(batch)).subscribe().with(changedDevices -> {
                changedDevices.forEach(d -> changed(d.accountId()));
                batch.forEach(p -> p.complete(null));
                writeNext();
            }, e -> {
                LOG.debugf("presence batch of %d sockets failed: %s", batch.size(), e.getMessage());
                batch.forEach(p -> p.complete(e));
                writeNext();
            });
        }
    }

    private static final String LOCK_ALL = "select count(*) from (select pg_advisory_xact_lock(hashtextextended(k, 0))"
            + " from unnest($1::text[]) as k) l";
    // the rows, and the count of each device's other sockets, in one statement; its snapshot is taken after the lock
    // statement, so it sees what the previous holders of the locks committed (a row inserted by this statement is not
    // in its own snapshot: two sockets of one device in one batch are told apart in Java)
    private static final String INSERT_ALL = """
            with input as (
              select * from unnest($1::text[], $2::text[], $3::text[], $4::text[]) as i(connection_id, account_id, device_id, session_id)
            ), ins as (
              insert into device_presence (connection_id, replica_id, account_id, device_id, session_id)
              select connection_id, $5, account_id, device_id, session_id from input
              on conflict do nothing)
            select i.connection_id, (select count(*) from device_presence p where p.account_id = i.account_id
              and p.device_id = i.device_id and p.connection_id <> i.connection_id and\s""" + alive("p") + """
            ) as others from input i""";
    // the rows deleted (a row that was not there, never written or swept, changes nothing), and each device's sockets
    // outside this batch
    private static final String DELETE_ALL = """
            with input as (
              select * from unnest($1::text[], $2::text[], $3::text[]) as i(connection_id, account_id, device_id)
            ), del as (
              delete from device_presence p using input i where p.connection_id = i.connection_id returning p.connection_id)
            select i.connection_id, exists (select 1 from del d where d.connection_id = i.connection_id) as deleted,
              (select count(*) from device_presence p where p.account_id = i.account_id and p.device_id = i.device_id
                 and p.connection_id <> all($1::text[]) and\s""" + alive("p") + """
            ) as others from input i""";

    /** One transaction for a batch of connects; answers the devices that came online (their event is written). */
    private Uni<List<DeviceKey>> writeConnects(List<Pending> batch) {
        return inBatchTransaction(batch, conn -> conn.preparedQuery(INSERT_ALL).execute(columns(batch, true)
                .addString(replica.get())), row -> row.getLong("others") == 0, true);
    }

    /** One transaction for a batch of closes; answers the devices that went offline (their event is written). */
    private Uni<List<DeviceKey>> writeDisconnects(List<Pending> batch) {
        return inBatchTransaction(batch, conn -> conn.preparedQuery(DELETE_ALL).execute(columns(batch, false)),
                row -> row.getBoolean("deleted") && row.getLong("others") == 0, false);
    }

    private static Tuple columns(List<Pending> batch, boolean withSession) {
        Tuple t = Tuple.tuple().addArrayOfString(batch.stream().map(p -> p.c().id()).toArray(String[]::new))
                .addArrayOfString(batch.stream().map(p -> p.c().accountId()).toArray(String[]::new))
                .addArrayOfString(batch.stream().map(p -> p.c().deviceId()).toArray(String[]::new));
        return withSession ? t.addArrayOfString(batch.stream().map(p -> p.c().sessionId()).toArray(String[]::new)) : t;
    }

    /**
     * The shape of both batch writes: the devices' locks and {@code write} sent together (the write runs once the
     * locks are held, without a round trip in between), then one event per device whose presence changed
     * ({@code changes} per socket row; a device with several sockets in the batch changes at most once), in one
     * round trip.
     */
    private Uni<List<DeviceKey>> inBatchTransaction(List<Pending> batch,
            java.util.function.Function<io.vertx.mutiny.sqlclient.SqlConnection, Uni<RowSet<Row>>> write,
            java.util.function.Predicate<Row> changes, boolean online) {
        String[] lockKeys = batch.stream().map(p -> p.device().lockKey())
                .distinct().sorted().toArray(String[]::new); // sorted: every batch and sweep locks in the same order
        return pool.withTransaction(conn -> Uni.combine().all().unis(
                        conn.preparedQuery(LOCK_ALL).execute(Tuple.tuple().addArrayOfString(lockKeys)), write.apply(conn))
                .asTuple().chain(done -> {
                    Map<String, Row> rows = new java.util.HashMap<>();
                    for (Row r : done.getItem2()) {
                        rows.put(r.getString("connection_id"), r);
                    }
                    Set<DeviceKey> decided = new java.util.HashSet<>();
                    List<DeviceKey> changed = new ArrayList<>();
                    List<CloudEvent> events = new ArrayList<>();
                    for (Pending p : batch) {
                        Row row = rows.get(p.c().id());
                        if (row == null || decided.contains(p.device()) || !changes.test(row)) {
                            continue;
                        }
                        decided.add(p.device());
                        changed.add(p.device());
                        CloudEvent e = outbox.event(EventTypes.PRESENCE_CHANGED, p.c().accountId(), p.c().deviceId(), null,
                                new PresenceChanged(p.c().deviceId(), online, p.at()));
                        events.add(p.traceparent() == null ? e : e.withTraceparent(p.traceparent()));
                    }
                    return outbox.appendAll(conn, events).replaceWith(changed);
                }));
    }

    /** Marks the account for the next snapshot frame. */
    void changed(String accountId) {
        changedAccounts.add(accountId);
    }

    /** Sends one snapshot frame to every account that changed since the last interval (on every replica). */
    void tell() {
        if (changedAccounts.isEmpty()) {
            return;
        }
        List<String> accounts = new ArrayList<>(changedAccounts);
        accounts.forEach(changedAccounts::remove);
        for (String account : accounts) {
            online(account).subscribe().with(
                    devices -> router.control(account, snapshot(devices), "presence", null),
                    e -> LOG.debugf("presence snapshot of %s failed: %s", account, e.getMessage()));
        }
    }

    private String snapshot(List<OnlineDevice> devices) {
        Map<String, Object> frame = new LinkedHashMap<>();
        frame.put("type", "presence");
        frame.put("class", "latest-wins");
        frame.put("at", Instant.now().toString());
        List<Map<String, Object>> online = new ArrayList<>();
        for (OnlineDevice d : devices.subList(0, Math.min(devices.size(), snapshotLimit))) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("deviceId", d.deviceId());
            m.put("since", d.since().toString());
            m.put("connections", d.connections());
            online.add(m);
        }
        frame.put("online", online);
        frame.put("truncated", devices.size() > snapshotLimit);
        return Json.write(frame);
    }

    /** The account's devices with a live socket on a live replica. */
    public Uni<List<OnlineDevice>> online(String accountId) {
        return pool.preparedQuery("select device_id, min(connected_at) as since, count(*) as sockets from device_presence p"
                        + " where account_id = $1 and " + alive("p") + " group by device_id order by device_id")
                .execute(Tuple.of(accountId))
                .map(rows -> {
                    List<OnlineDevice> list = new ArrayList<>();
                    for (Row r : rows) {
                        OffsetDateTime since = r.getOffsetDateTime("since");
                        list.add(new OnlineDevice(r.getString("device_id"), since.toInstant(), r.getLong("sockets").intValue()));
                    }
                    return list;
                });
    }

    public record OnlineDevice(String deviceId, Instant since, int connections) {
    }
}
