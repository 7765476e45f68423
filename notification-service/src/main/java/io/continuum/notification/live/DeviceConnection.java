package io.continuum.notification.live;

import io.continuum.notification.domain.DeliveryClass;
import io.continuum.notification.domain.Frame;
import io.continuum.notification.domain.Json;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.jboss.logging.Logger;

/**
 * One device's live socket and its position in the account stream.
 *
 * <p>Frames reach the socket in seq order with no gap and no duplicate: a frame that is not the next one is either
 * dropped (already sent) or makes the connection fetch the missing range from history first. While a replay runs,
 * live frames wait in {@code pendingLive} and are merged at the seam. Every write goes through a bounded queue; at
 * most {@code maxInFlight} writes are handed to the socket at once, and when the queue overflows the connection is
 * closed with {@link CloseCodes#SLOW_CONSUMER} and a resume hint. Queued latest-wins frames are replaced by newer ones
 * with the same key.
 *
 * <p>All state is guarded by {@code this}; callers come from Kafka threads, event loops and timers.
 */
public final class DeviceConnection {

    private static final Logger LOG = Logger.getLogger(DeviceConnection.class);

    private final WebSocketConnection ws;
    private final Identity identity;
    private final Limits limits;
    private final BiFunction<Long, Integer, Uni<List<Frame>>> history;

    // stream position
    private String epoch;
    /** Highest seq handed to the queue. */
    private long lastSeq;
    /** Seq of the last stream frame written to the socket (the {@code prev} of the next one). */
    private long lastSentSeq;
    private boolean live;
    private boolean fetching;
    private int replayed;
    private final List<Frame> pendingLive = new ArrayList<>();

    // outbound queue
    private final ArrayDeque<Outgoing> queue = new ArrayDeque<>();
    private int inFlight;
    private boolean pumping;
    private boolean closing;

    // inbound
    private volatile long lastSeenNanos = System.nanoTime();
    private double tokens;
    private long refillNanos = System.nanoTime();
    private int strikes;
    private volatile Instant tokenExpiry;
    private volatile long expiryTimer = -1;

    public DeviceConnection(WebSocketConnection ws, Identity identity, Limits limits,
            BiFunction<Long, Integer, Uni<List<Frame>>> history) {
        this.ws = ws;
        this.identity = identity;
        this.limits = limits;
        this.history = history;
        this.tokens = limits.rateBurst();
        this.tokenExpiry = identity.tokenExpiry();
    }

    /** Who is on the socket: account, session, device. */
    public record Identity(String accountId, String sessionId, String deviceId, Instant tokenExpiry) {
    }

    public record Limits(int outboundQueue, int maxInFlight, int rateLimit, int rateBurst, int maxStrikes, int maxReplay) {
    }

    public String id() {
        return ws.id();
    }

    public String accountId() {
        return identity.accountId();
    }

    public String deviceId() {
        return identity.deviceId();
    }

    public String sessionId() {
        return identity.sessionId();
    }

    public Instant tokenExpiry() {
        return tokenExpiry;
    }

    public void tokenExpiry(Instant expiry, long timerId) {
        this.tokenExpiry = expiry;
        this.expiryTimer = timerId;
    }

    public long expiryTimer() {
        return expiryTimer;
    }

    public WebSocketConnection socket() {
        return ws;
    }

    public synchronized String epoch() {
        return epoch;
    }

    /** Seq of the last stream frame written to this socket. */
    public synchronized long lastSentSeq() {
        return lastSentSeq;
    }

    public synchronized boolean isLive() {
        return live;
    }

    public boolean isOpen() {
        return !closing && ws.isOpen();
    }

    public void touch() {
        lastSeenNanos = System.nanoTime();
    }

    public long idleNanos() {
        return System.nanoTime() - lastSeenNanos;
    }

    /** Token bucket for inbound messages; false when this message exceeds the rate. */
    public synchronized boolean tryAcquire() {
        long now = System.nanoTime();
        tokens = Math.min(limits.rateBurst(), tokens + (now - refillNanos) / 1e9 * limits.rateLimit());
        refillNanos = now;
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }

    /** Counts a refused message; true when the connection has used up its allowance and must be closed. */
    public synchronized boolean strike() {
        return ++strikes >= limits.maxStrikes();
    }

    /**
     * Starts (or restarts) the stream at {@code afterSeq} of {@code epoch}: the frames after it are replayed from
     * history, then the connection goes live. {@code before} is queued first (the welcome/resync control frame).
     */
    public synchronized void startAt(String epoch, long afterSeq, String before) {
        this.epoch = epoch;
        this.lastSeq = afterSeq;
        this.lastSentSeq = afterSeq;
        this.live = false;
        this.replayed = 0;
        queue.removeIf(o -> o.frame() != null); // a restart: frames queued for the old position would break the chain
        if (before != null) {
            enqueue(Outgoing.control(before, null));
        }
        fetch();
    }

    /** A new frame of this account's stream (from this replica's ingest or from another replica). */
    public synchronized void offer(Frame frame) {
        if (closing) {
            return;
        }
        if (epoch == null || !live) {
            if (pendingLive.size() >= limits.outboundQueue()) {
                slowConsumer();
                return;
            }
            pendingLive.add(frame);
            return;
        }
        if (!frame.epoch().equals(epoch)) {
            sendControl(Json.write(Map.of("type", "resync", "reason", "epoch-changed", "epoch", frame.epoch())), null);
            return;
        }
        if (frame.seq() <= lastSeq) {
            return; // already queued (arrived twice: ingest and fan-out, or replay and live)
        }
        if (frame.seq() > lastSeq + 1) {
            // frames are missing in between: fetch them from history, keep this one for the seam
            live = false;
            pendingLive.add(frame);
            fetch();
            return;
        }
        lastSeq = frame.seq();
        enqueue(Outgoing.of(frame));
    }

    private void fetch() {
        if (fetching || closing) {
            return;
        }
        fetching = true;
        long from = lastSeq;
        history.apply(from, limits.maxReplay()).subscribe().with(this::fetched, this::fetchFailed);
    }

    private synchronized void fetched(List<Frame> frames) {
        fetching = false;
        if (closing) {
            return;
        }
        for (Frame f : frames) {
            if (f.seq() == lastSeq + 1) {
                lastSeq = f.seq();
                replayed++;
                enqueue(Outgoing.of(f));
            }
        }
        if (frames.size() == limits.maxReplay()) {
            fetch(); // more history to come
            return;
        }
        // seam: merge what arrived live during the replay
        pendingLive.sort(Comparator.comparingLong(Frame::seq));
        Iterator<Frame> it = pendingLive.iterator();
        while (it.hasNext()) {
            Frame f = it.next();
            if (!f.epoch().equals(epoch)) {
                it.remove(); // the stream was reset meanwhile: tell the device to resync
                enqueue(Outgoing.control(Json.write(Map.of("type", "resync", "reason", "epoch-changed", "epoch", f.epoch())), null));
            } else if (f.seq() <= lastSeq) {
                it.remove();
            } else if (f.seq() == lastSeq + 1) {
                lastSeq = f.seq();
                enqueue(Outgoing.of(f));
                it.remove();
            } else {
                break;
            }
        }
        if (!pendingLive.isEmpty()) {
            // a gap remains: the missing frames were committed after the read above; read again
            fetch();
            return;
        }
        if (!live) {
            live = true;
            enqueue(Outgoing.control("{\"type\":\"live\",\"seq\":" + lastSeq + ",\"replayed\":" + replayed + "}", null));
            replayed = 0;
        }
    }

    private synchronized void fetchFailed(Throwable e) {
        fetching = false;
        LOG.warnf("history read failed for %s/%s: %s", identity.accountId(), identity.deviceId(), e.getMessage());
        close(CloseCodes.reason(1011, "history unavailable; resume from seq " + lastSentSeq));
    }

    /** Queues a control frame; frames with the same non-null key replace each other while queued. */
    public synchronized void sendControl(String text, String coalesceKey) {
        if (!closing) {
            enqueue(Outgoing.control(text, coalesceKey));
        }
    }

    private void enqueue(Outgoing out) {
        if (out.coalesceKey() != null && !queue.isEmpty()) {
            boolean latestWins = out.frame() == null || out.frame().delivery() == DeliveryClass.LATEST_WINS;
            if (latestWins) {
                queue.removeIf(q -> out.coalesceKey().equals(q.coalesceKey()));
            }
        }
        if (queue.size() >= limits.outboundQueue()) {
            slowConsumer();
            return;
        }
        queue.add(out);
        pump();
    }

    private void pump() {
        if (pumping) {
            return;
        }
        pumping = true;
        try {
            while (!closing && inFlight < limits.maxInFlight() && !queue.isEmpty()) {
                Outgoing o = queue.poll();
                String text;
                if (o.frame() != null) {
                    text = o.frame().wire(lastSentSeq, identity.deviceId());
                    lastSentSeq = o.frame().seq();
                } else {
                    text = o.text();
                }
                inFlight++;
                ws.sendText(text).subscribe().with(v -> written(), this::writeFailed);
            }
        } finally {
            pumping = false;
        }
    }

    private synchronized void written() {
        inFlight--;
        pump();
    }

    private synchronized void writeFailed(Throwable e) {
        inFlight--;
        if (!closing) {
            LOG.debugf("write failed on %s: %s", ws.id(), e.getMessage());
            closing = true;
            queue.clear();
        }
    }

    private void slowConsumer() {
        LOG.infof("slow consumer %s/%s (queue %d): closing with resume hint", identity.accountId(), identity.deviceId(), queue.size());
        close(CloseCodes.reason(CloseCodes.SLOW_CONSUMER, "slow consumer; resume from seq " + lastSentSeq));
    }

    /** Closes the socket (once); queued frames are dropped, the device resumes from history. */
    public synchronized void close(io.quarkus.websockets.next.CloseReason reason) {
        if (closing) {
            return;
        }
        closing = true;
        queue.clear();
        pendingLive.clear();
        ws.close(reason).subscribe().with(v -> { }, e -> LOG.debugf("close of %s failed: %s", ws.id(), e.getMessage()));
    }

    /** Closes and completes when the close frame was written (shutdown). */
    public Uni<Void> closeAndWait(io.quarkus.websockets.next.CloseReason reason) {
        synchronized (this) {
            if (closing) {
                return Uni.createFrom().voidItem();
            }
            closing = true;
            queue.clear();
            pendingLive.clear();
        }
        return ws.close(reason).onFailure().recoverWithNull();
    }

    public synchronized int queued() {
        return queue.size();
    }
}
