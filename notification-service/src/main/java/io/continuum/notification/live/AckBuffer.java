package io.continuum.notification.live;

import io.continuum.notification.persistence.StreamStore;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Device acknowledgements, written to {@code device_cursor} in the background: an ack only moves a cursor forward,
 * so many acks of one device between two flushes become one write. Flushed every 200 ms, when a device's
 * connection closes, and at shutdown.
 */
@ApplicationScoped
public class AckBuffer {

    private static final Logger LOG = Logger.getLogger(AckBuffer.class);

    private record Key(String accountId, String deviceId) {
    }

    private record Ack(String epoch, long seq) {
    }

    private final Map<Key, Ack> dirty = new ConcurrentHashMap<>();
    private final StreamStore store;
    private final Vertx vertx;
    private long timer = -1;

    public AckBuffer(StreamStore store, Vertx vertx) {
        this.store = store;
        this.vertx = vertx;
    }

    void start(@Observes StartupEvent e) {
        timer = vertx.setPeriodic(200, id -> flushAll().subscribe().with(v -> { }, err -> LOG.warnf("ack flush failed: %s", err.getMessage())));
    }

    void stop(@Observes ShutdownEvent e) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        flushAll().await().atMost(Duration.ofSeconds(5));
    }

    public void record(String accountId, String deviceId, String epoch, long seq) {
        dirty.merge(new Key(accountId, deviceId), new Ack(epoch, seq),
                (a, b) -> a.epoch().equals(b.epoch()) ? (a.seq() >= b.seq() ? a : b) : b);
    }

    /** Writes the pending ack of one device now. */
    public Uni<Void> flush(String accountId, String deviceId) {
        Key key = new Key(accountId, deviceId);
        Ack ack = dirty.remove(key);
        return ack == null ? Uni.createFrom().voidItem() : store.saveCursor(accountId, deviceId, ack.epoch(), ack.seq());
    }

    public Uni<Void> flushAll() {
        if (dirty.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Uni<Void>> writes = new ArrayList<>();
        for (Key k : List.copyOf(dirty.keySet())) {
            writes.add(flush(k.accountId(), k.deviceId()));
        }
        return Uni.join().all(writes).andCollectFailures().replaceWithVoid();
    }
}
