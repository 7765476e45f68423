package io.continuum.notification.live;

import io.continuum.notification.persistence.StreamStore;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Device acknowledgements, written to {@code device_cursor} in the background: an ack only moves a cursor forward,
 * so many acks of one device between two flushes become one row, and all devices' pending acks are written in one
 * statement per flush. Flushed every 200 ms, when a device's connection closes, and at shutdown.
 *
 * <p>An ack leaves the buffer only after its write succeeded (and only if no newer ack replaced it meanwhile): a
 * failed write is retried at the next flush instead of being lost.
 */
@ApplicationScoped
public class AckBuffer {

    private static final Logger LOG = Logger.getLogger(AckBuffer.class);

    private record Key(String accountId, String deviceId) {
    }

    private record Ack(String epoch, long seq) {
    }

    private final Map<Key, Ack> dirty = new ConcurrentHashMap<>();
    /** Devices that connected since the last flush: their cursor row is created (or its last_seen bumped). */
    private final Map<Key, Ack> seen = new ConcurrentHashMap<>();
    private final Function<List<StreamStore.CursorWrite>, Uni<Void>> writer;
    private final Function<List<StreamStore.CursorWrite>, Uni<Void>> toucher;
    private final Vertx vertx;
    private long timer = -1;
    private final java.util.concurrent.atomic.AtomicBoolean flushing = new java.util.concurrent.atomic.AtomicBoolean();

    @Inject
    public AckBuffer(StreamStore store, Vertx vertx) {
        this(store::saveCursors, store::touchCursors, vertx);
    }

    AckBuffer(Function<List<StreamStore.CursorWrite>, Uni<Void>> writer, Vertx vertx) {
        this(writer, rows -> Uni.createFrom().voidItem(), vertx);
    }

    AckBuffer(Function<List<StreamStore.CursorWrite>, Uni<Void>> writer, Function<List<StreamStore.CursorWrite>, Uni<Void>> toucher,
            Vertx vertx) {
        this.writer = writer;
        this.toucher = toucher;
        this.vertx = vertx;
    }

    /**
     * A device connected at {@code startSeq}: its cursor row is created there when it has none (else only
     * {@code last_seen} moves), with the next flush, batched with every other connect of the interval: no database
     * round trip on the connect path.
     */
    public void seen(String accountId, String deviceId, String epoch, long startSeq) {
        seen.put(new Key(accountId, deviceId), new Ack(epoch, startSeq));
    }

    void start(@Observes StartupEvent e) {
        timer = vertx.setPeriodic(200, id -> {
            // one periodic flush at a time: a tick while the last one still runs (slow database) would write the
            // same rows again
            if (!flushing.compareAndSet(false, true)) {
                return;
            }
            flushAll().onTermination().invoke(() -> flushing.set(false))
                    .subscribe().with(v -> { }, err -> LOG.warnf("ack flush failed (retried): %s", err.getMessage()));
        });
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

    /** Acks waiting to be written. */
    public int pending() {
        return dirty.size();
    }

    /** Writes the pending ack of one device now. */
    public Uni<Void> flush(String accountId, String deviceId) {
        Key key = new Key(accountId, deviceId);
        Ack ack = dirty.get(key);
        return ack == null ? Uni.createFrom().voidItem() : write(Map.of(key, ack));
    }

    /** Writes every pending connect mark and ack, one statement each. */
    public Uni<Void> flushAll() {
        Uni<Void> touched = Uni.createFrom().voidItem();
        if (!seen.isEmpty()) {
            Map<Key, Ack> batch = Map.copyOf(seen);
            List<StreamStore.CursorWrite> rows = new ArrayList<>(batch.size());
            batch.forEach((k, a) -> rows.add(new StreamStore.CursorWrite(k.accountId(), k.deviceId(), a.epoch(), a.seq())));
            touched = toucher.apply(rows).invoke(() -> batch.forEach(seen::remove));
        }
        return touched.chain(() -> dirty.isEmpty() ? Uni.createFrom().voidItem() : write(Map.copyOf(dirty)));
    }

    private Uni<Void> write(Map<Key, Ack> batch) {
        List<StreamStore.CursorWrite> rows = new ArrayList<>(batch.size());
        batch.forEach((k, a) -> rows.add(new StreamStore.CursorWrite(k.accountId(), k.deviceId(), a.epoch(), a.seq())));
        return writer.apply(rows).invoke(() -> batch.forEach(dirty::remove)); // remove(k, v): a newer ack stays
    }
}
