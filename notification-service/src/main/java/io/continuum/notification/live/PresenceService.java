package io.continuum.notification.live;

import io.continuum.events.EventTypes;
import io.continuum.events.notification.PresenceChanged;
import io.continuum.notification.config.ReplicaId;
import io.continuum.notification.domain.Json;
import io.continuum.notification.messaging.FrameRouter;
import io.continuum.platform.outbox.Outbox;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Which devices of an account are online, across replicas: every live socket is a row of {@code device_presence}
 * tagged with its replica; replicas heart-beat in {@code replica}, and rows of a replica silent for
 * {@link #STALE} are swept. When a device's first socket opens (or its last one closes), the account's other
 * devices get a {@code presence} frame and {@code continuum.presence.changed.v1} goes to {@code notification.events}
 * through the outbox, in the same transaction as the presence row.
 */
@ApplicationScoped
public class PresenceService {

    private static final Logger LOG = Logger.getLogger(PresenceService.class);
    static final Duration STALE = Duration.ofSeconds(30);
    private static final String ALIVE = "replica_id in (select replica_id from replica where last_seen > now() - interval '30 seconds')";

    private final Pool pool;
    private final ReplicaId replica;
    private final Outbox outbox;
    private final FrameRouter router;
    private final int fanoutLimit;
    private final ConnectionRegistry registry;

    public PresenceService(Pool pool, ReplicaId replica, Outbox outbox, FrameRouter router,
            io.continuum.notification.config.NotificationConfig config, ConnectionRegistry registry) {
        this.registry = registry;
        this.fanoutLimit = config.presence().fanoutLimit();
        this.pool = pool;
        this.replica = replica;
        this.outbox = outbox;
        this.router = router;
    }

    void start(@Observes StartupEvent e) {
        heartbeat().await().atMost(Duration.ofSeconds(10));
    }

    void stop(@Observes ShutdownEvent e) {
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
                .chain(() -> pool.preparedQuery("""
                        delete from device_presence where replica_id not in
                          (select replica_id from replica where last_seen > now() - interval '30 seconds')""").execute())
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

    /** Records a new socket; on the device's first one, tells the other devices and publishes the change. */
    public Uni<Void> connected(DeviceConnection c) {
        Instant at = Instant.now();
        return Panache.withTransaction(() -> Panache.getSession().chain(s -> s.createNativeQuery("""
                                insert into device_presence (connection_id, replica_id, account_id, device_id, session_id)
                                values (:c, :r, :a, :d, :s) on conflict do nothing""")
                        .setParameter("c", c.id()).setParameter("r", replica.get()).setParameter("a", c.accountId())
                        .setParameter("d", c.deviceId()).setParameter("s", c.sessionId())
                        .executeUpdate()
                        .chain(() -> others(s, c))
                        .chain(others -> others == 0
                                ? outbox.append(EventTypes.PRESENCE_CHANGED, c.accountId(), c.deviceId(), null,
                                        new PresenceChanged(c.deviceId(), true, at)).replaceWith(true)
                                : Uni.createFrom().item(false))))
                .chain(changed -> changed ? tell(c, true, at) : Uni.createFrom().voidItem())
                .replaceWithVoid();
    }

    /** Forgets a socket; when it was the device's last one, tells the other devices and publishes the change. */
    public Uni<Void> disconnected(DeviceConnection c) {
        Instant at = Instant.now();
        return Panache.withTransaction(() -> Panache.getSession().chain(s -> s.createNativeQuery(
                                "delete from device_presence where connection_id = :c")
                        .setParameter("c", c.id())
                        .executeUpdate()
                        .chain(deleted -> deleted == 0 ? Uni.createFrom().item(1L) : others(s, c))
                        .chain(others -> others == 0
                                ? outbox.append(EventTypes.PRESENCE_CHANGED, c.accountId(), c.deviceId(), null,
                                        new PresenceChanged(c.deviceId(), false, at)).replaceWith(true)
                                : Uni.createFrom().item(false))))
                .chain(changed -> changed ? tell(c, false, at) : Uni.createFrom().voidItem())
                .replaceWithVoid();
    }

    private Uni<Long> others(org.hibernate.reactive.mutiny.Mutiny.Session s, DeviceConnection c) {
        return s.createNativeQuery("select count(*) from device_presence where account_id = :a and device_id = :d"
                        + " and connection_id <> :c and " + ALIVE, Long.class)
                .setParameter("a", c.accountId()).setParameter("d", c.deviceId()).setParameter("c", c.id())
                .getSingleResult()
                .map(n -> ((Number) n).longValue());
    }

    /**
     * The presence frame to the account's other devices, on every replica. Skipped for an account with more than
     * {@code fanoutLimit} live sockets (n devices coming and going would cost n² frames): those devices read
     * {@code GET /api/notifications/presence}; the Kafka event is published either way.
     */
    private Uni<Void> tell(DeviceConnection c, boolean online, Instant at) {
        // this replica's count: a cheap guard (counting every replica's rows per connect would be n² again)
        if (registry.ofAccount(c.accountId()).size() <= fanoutLimit) {
            sendFrame(c, online, at);
        }
        return Uni.createFrom().voidItem();
    }

    private void sendFrame(DeviceConnection c, boolean online, Instant at) {
        Map<String, Object> frame = new LinkedHashMap<>();
        frame.put("type", "presence");
        frame.put("class", "latest-wins");
        frame.put("deviceId", c.deviceId());
        frame.put("online", online);
        frame.put("at", at.toString());
        router.control(c.accountId(), Json.write(frame), "presence:" + c.deviceId(), c.deviceId());
    }

    /** The account's devices with a live socket on a live replica. */
    public Uni<List<OnlineDevice>> online(String accountId) {
        return pool.preparedQuery("select device_id, min(connected_at) as since, count(*) as sockets from device_presence"
                        + " where account_id = $1 and " + ALIVE + " group by device_id order by device_id")
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
