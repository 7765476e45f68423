package io.continuum.notification.live;

import io.continuum.notification.config.NotificationConfig;
import io.continuum.notification.config.ReplicaId;
import io.continuum.notification.domain.DeliveryClass;
import io.continuum.notification.domain.Frame;
import io.continuum.notification.domain.FrameDraft;
import io.continuum.notification.domain.FrameTypes;
import io.continuum.notification.domain.Json;
import io.continuum.notification.domain.ResumePlan;
import io.continuum.notification.messaging.FrameRouter;
import io.continuum.notification.persistence.StreamOpens;
import io.continuum.notification.persistence.StreamStore;
import io.continuum.platform.revocation.SessionsRevoked;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * The life of a device's stream session on this replica: where it starts (resume or fresh), token expiry,
 * revocation, idle reaping, acks and "read" marks.
 */
@ApplicationScoped
public class StreamSessions {

    private static final Logger LOG = Logger.getLogger(StreamSessions.class);
    /** The socket closes this long before its token's expiry. */
    static final long EXPIRY_MARGIN_MS = 1000;

    private final NotificationConfig config;
    private final ReplicaId replica;
    private final StreamStore store;
    private final StreamOpens opens;
    private final ConnectionRegistry registry;
    private final AckBuffer acks;
    private final FrameRouter router;
    private final Vertx vertx;
    private final StreamMeters meters;

    public StreamSessions(NotificationConfig config, ReplicaId replica, StreamStore store, StreamOpens opens,
            ConnectionRegistry registry, AckBuffer acks, FrameRouter router, Vertx vertx, StreamMeters meters) {
        this.opens = opens;
        this.meters = meters;
        this.config = config;
        this.replica = replica;
        this.store = store;
        this.registry = registry;
        this.acks = acks;
        this.router = router;
        this.vertx = vertx;
    }

    public StreamMeters meters() {
        return meters;
    }

    public DeviceConnection.Limits limits() {
        NotificationConfig.Connection c = config.connection();
        return new DeviceConnection.Limits(c.outboundQueue(), c.maxInFlight(), c.rateLimit(), c.rateBurst(), c.maxStrikes(),
                config.history().replayPage());
    }

    /** Restarts a live connection's stream from another resume point (the {@code resume} message). */
    public Uni<Void> start(DeviceConnection c, Long seq, String epoch) {
        return start(c, seq, epoch, () -> { }, false);
    }

    /**
     * The first start of a connection, when it opens (see the other {@code start}); {@code beside} (the socket's
     * presence write) is started once the stream read is on its way, and not waited for.
     */
    public Uni<Void> open(DeviceConnection c, Long seq, String epoch, Runnable beside) {
        return start(c, seq, epoch, beside, true);
    }

    /**
     * Starts a connection's stream: from the resume point the device gave ({@code seq}/{@code epoch}), else from the
     * device's stored cursor, else live from the head. Sends {@code welcome} (and {@code resync} when history cannot
     * cover the gap) before any frame. Nothing but the stream read is on this path: the socket's presence write runs
     * beside it and is not waited for (in a reconnect storm the presence transactions of thousands of sockets queue
     * for the pool and for the devices' presence locks, and going live waited for all of that). When the start point
     * is the head that was read, the connection goes live without a history read (one round trip less on the common
     * reconnect). The read itself is batched with the other connects of the moment ({@link StreamOpens}).
     */
    private Uni<Void> start(DeviceConnection c, Long seq, String epoch, Runnable beside, boolean first) {
        long began = System.nanoTime();
        Uni<StreamStore.Opened> read = opens.open(c.accountId(), c.deviceId())
                .invoke(() -> LOG.debugf("connect %s/%s: stream read after %d ms", c.accountId(), c.deviceId(),
                        (System.nanoTime() - began) / 1_000_000));
        // the read is subscribed (its statement queued for the pool) first, then the presence write starts
        return Uni.combine().all().unis(read, Uni.createFrom().item(() -> {
                    beside.run();
                    return Boolean.TRUE;
                })).asTuple()
                .map(t -> t.getItem1())
                .map(opened -> {
                            StreamStore.StreamInfo info = opened.stream();
                            Optional<StreamStore.DeviceCursor> cursor = seq != null
                                    ? Optional.of(new StreamStore.DeviceCursor(c.deviceId(), epoch, seq, Instant.now()))
                                    : opened.cursor();
                            Long from = cursor.map(StreamStore.DeviceCursor::ackedSeq).orElse(null);
                            String fromEpoch = cursor.map(StreamStore.DeviceCursor::epoch).orElse(null);
                            ResumePlan plan = ResumePlan.decide(info.epoch(), info.head(), info.low(), from, fromEpoch,
                                    config.history().maxReplay());
                            Map<String, Object> welcome = new LinkedHashMap<>();
                            welcome.put("type", "welcome");
                            welcome.put("protocol", "continuum.v1");
                            welcome.put("connectionId", c.id());
                            welcome.put("replica", replica.get());
                            welcome.put("accountId", c.accountId());
                            welcome.put("deviceId", c.deviceId());
                            welcome.put("epoch", info.epoch());
                            welcome.put("head", info.head());
                            welcome.put("resumeFrom", plan.afterSeq());
                            welcome.put("tokenExpiresAt", c.tokenExpiry().toString());
                            welcome.put("idleTimeoutMs", config.connection().idleTimeout().toMillis());
                            String resync = null;
                            if (plan.resync() != null) {
                                meters.resync(plan.resync());
                                Map<String, Object> r = new LinkedHashMap<>();
                                r.put("type", "resync");
                                r.put("reason", plan.resync());
                                r.put("epoch", info.epoch());
                                r.put("head", info.head());
                                resync = Json.write(r);
                            }
                            if (first && plan.afterSeq() >= info.head()) {
                                // nothing stored after the start point when the stream was read: no history read
                                c.startAtHead(info.epoch(), plan.afterSeq(), Json.write(welcome), resync);
                            } else {
                                c.startAt(info.epoch(), plan.afterSeq(), Json.write(welcome), resync);
                            }
                            acks.seen(c.accountId(), c.deviceId(), info.epoch(), plan.afterSeq());
                            return null;
                        })
                .replaceWithVoid();
    }

    /**
     * Arms (or re-arms) the close at token expiry: {@link #EXPIRY_MARGIN_MS} before the token's {@code exp}, so it
     * comes before WebSockets Next's own close at the expiry of the upgrade's security identity (1008) and the device
     * gets the documented 4001.
     */
    public void armExpiry(DeviceConnection c, Instant expiresAt) {
        long old = c.expiryTimer();
        if (old >= 0) {
            vertx.cancelTimer(old);
        }
        long delay = Math.max(1, expiresAt.toEpochMilli() - EXPIRY_MARGIN_MS - System.currentTimeMillis());
        long id = vertx.setTimer(delay, t -> {
            LOG.debugf("token of %s/%s expired: closing", c.accountId(), c.deviceId());
            c.close(CloseCodes.reason(CloseCodes.TOKEN_EXPIRED, "token expired"));
        });
        c.tokenExpiry(expiresAt, id);
    }

    public void closed(DeviceConnection c) {
        long t = c.expiryTimer();
        if (t >= 0) {
            vertx.cancelTimer(t);
        }
    }

    /** Records a device's acknowledgement; false when it acknowledges more than it was sent. */
    public boolean ack(DeviceConnection c, long seq) {
        if (seq < 0 || seq > c.lastSentSeq() || c.epoch() == null) {
            return false;
        }
        acks.record(c.accountId(), c.deviceId(), c.epoch(), seq);
        return true;
    }

    /** A notification read/dismissed on one device: a frame in the account stream tells the other devices to clear it. */
    public Uni<Frame> markRead(String accountId, String deviceId, String notificationId) {
        String data = Json.write(Map.of("id", notificationId, "deviceId", deviceId == null ? "" : deviceId));
        FrameDraft draft = new FrameDraft(accountId, "read:" + UUID.randomUUID(), FrameTypes.NOTIFICATION_READ,
                DeliveryClass.ORDERED, null, deviceId, null, Instant.now(), data);
        return store.append(draft).map(f -> {
            Frame frame = f.orElseThrow();
            router.stored(frame);
            return frame;
        });
    }

    /** Closes every socket of the revoked sessions on this replica (every replica gets the event). */
    void revoked(@Observes SessionsRevoked event) {
        for (DeviceConnection c : registry.ofAccount(event.accountId())) {
            if (c.sessionId() != null && event.sessionIds().contains(c.sessionId())) {
                LOG.debugf("session %s revoked (%s): closing %s", c.sessionId(), event.reason(), c.id());
                c.close(CloseCodes.reason(CloseCodes.SESSION_REVOKED, "session revoked"));
            }
        }
    }

    /**
     * When shutdown starts (before the HTTP server stops: quarkus.shutdown.delay-enabled) every socket is told to go
     * elsewhere (1001): the device reconnects to any replica and resumes.
     */
    void shutdown(@Observes io.quarkus.runtime.ShutdownDelayInitiatedEvent event) {
        java.util.List<io.smallrye.mutiny.Uni<Void>> closing = new java.util.ArrayList<>();
        for (DeviceConnection c : registry.all()) {
            closing.add(c.closeAndWait(CloseCodes.reason(CloseCodes.GOING_AWAY, "replica shutting down; reconnect and resume")));
        }
        if (!closing.isEmpty()) {
            try {
                Uni.join().all(closing).andCollectFailures().await().atMost(java.time.Duration.ofSeconds(3));
            } catch (RuntimeException e) {
                LOG.debugf("not every socket closed cleanly at shutdown: %s", e.getMessage());
            }
        }
    }

    /** Closes sockets that sent nothing, not even a pong, for the idle timeout. */
    @Scheduled(every = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void reapIdle() {
        long limit = config.connection().idleTimeout().toNanos();
        for (DeviceConnection c : registry.all()) {
            if (c.idleNanos() > limit) {
                c.close(CloseCodes.reason(CloseCodes.IDLE_TIMEOUT, "idle timeout"));
            }
        }
    }

    /** Retention of history by count and age. */
    @Scheduled(every = "${continuum.notification.history.trim-interval:1m}", delayed = "10s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> trim() {
        return store.trim(config.history().maxCount(), config.history().maxAge(), config.history().trimBatch())
                .invoke(t -> {
                    if (t.deleted() > 0) {
                        LOG.debugf("retention dropped %d frames in %d statements", t.deleted(), t.statements());
                    }
                })
                .replaceWithVoid()
                .onFailure().recoverWithItem(e -> {
                    LOG.warnf("retention sweep failed: %s", e.getMessage());
                    return null;
                });
    }
}
