package io.continuum.notification.live;

import io.continuum.notification.domain.DeliveryClass;
import io.continuum.notification.domain.Frame;
import io.continuum.notification.domain.Json;
import io.continuum.notification.domain.ResumePlan;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.jboss.logging.Logger;

/**
 * One device's live socket and its position in the account stream.
 *
 * <p><b>Threading.</b> A connection is owned by one Vert.x context (the event loop its socket lives on, see
 * {@link Owner}). Every callback that touches its state runs there: calls from Kafka threads, timers, other event
 * loops and database completions are handed over with {@code runOnContext}. Hence no locks: the state below is only
 * ever read and written by the owner thread (the few fields read from elsewhere are volatile).
 *
 * <p><b>Order.</b> Frames reach the socket in seq order with no gap and no duplicate: a frame that is not the next one
 * is either dropped (already queued) or makes the connection read the missing range from history first.
 *
 * <p><b>Replay is demand-driven.</b> History is read a page at a time, and the next page is read only once the
 * outbound queue has drained to its low watermark, so a device thousands of frames behind is replayed at the speed it
 * reads, without ever filling its queue. Live frames that arrive during a replay wait (bounded) for the seam; when that
 * buffer is full they are dropped and read from history instead (every frame is stored before it is pushed). A hole
 * that history cannot fill (retention dropped the frames) becomes a {@code resync} frame and the replay continues from
 * the oldest frame still stored: every history read makes progress, so the replay always ends.
 *
 * <p><b>Writes.</b> Every write goes through a bounded queue; at most {@code maxInFlight} writes are handed to the
 * socket at once, and when live traffic overflows the queue the connection is closed with
 * {@link CloseCodes#SLOW_CONSUMER} and a resume hint. Queued latest-wins frames are replaced by newer ones with the
 * same key.
 */
public final class DeviceConnection {

    private static final Logger LOG = Logger.getLogger(DeviceConnection.class);

    /** Where a connection's callbacks run. */
    public interface Owner {
        /** True on the owner thread. */
        boolean inside();

        /** Runs the task on the owner: now when already there, else queued behind what the owner is doing. */
        void execute(Runnable task);

        /** The current Vert.x context (call on it, e.g. in {@code @OnOpen}): its event loop thread is the owner. */
        static Owner current(Context context) {
            Thread thread = Thread.currentThread();
            return new Owner() {
                @Override
                public boolean inside() {
                    return Thread.currentThread() == thread;
                }

                @Override
                public void execute(Runnable task) {
                    if (inside()) {
                        task.run();
                    } else {
                        context.runOnContext(v -> task.run());
                    }
                }
            };
        }

        /** Runs everything at once on the caller's thread (unit tests drive a connection from one thread). */
        Owner CALLER = new Owner() {
            @Override
            public boolean inside() {
                return true;
            }

            @Override
            public void execute(Runnable task) {
                task.run();
            }
        };
    }

    private final WebSocketConnection ws;
    private final Owner owner;
    private final Identity identity;
    private final Limits limits;
    private final BiFunction<Long, Integer, Uni<List<Frame>>> history;
    private final StreamMeters meters;

    // stream position
    private volatile String epoch;
    /** Highest seq handed to the queue. */
    private long lastSeq;
    /** Seq of the last stream frame written to the socket (the {@code prev} of the next one). */
    private volatile long lastSentSeq;
    private volatile boolean live;
    private boolean fetching;
    /** Waiting for the queue to drain to the low watermark before reading the next history page. */
    private boolean awaitingDemand;
    /** Bumped by every (re)start: a history read of an older start is discarded. */
    private int generation;
    private int replayed;
    /** Live frames that arrived while history was being read (merged at the seam; bounded). */
    private final List<Frame> pendingLive = new ArrayList<>();
    /** Highest seq seen live while not live: when above {@link #lastSeq} at the seam, history is read again. */
    private long liveHigh;
    /** Highest seq offered before the first start (such frames are not queued: the start decides). */
    private long preStartHigh = -1;

    // outbound queue
    private final ArrayDeque<Outgoing> queue = new ArrayDeque<>();
    private int inFlight;
    private boolean pumping;
    private volatile boolean closing;

    // inbound
    private volatile long lastSeenNanos = System.nanoTime();
    private double tokens;
    private long refillNanos = System.nanoTime();
    private int strikes;
    private volatile Instant tokenExpiry;
    /** The presence row of this socket, written at open; the close's bookkeeping waits for it (see StreamSocket). */
    private volatile Uni<Void> presenceRecorded = Uni.createFrom().voidItem();
    private volatile long expiryTimer = -1;

    public DeviceConnection(WebSocketConnection ws, Owner owner, Identity identity, Limits limits,
            BiFunction<Long, Integer, Uni<List<Frame>>> history) {
        this(ws, owner, identity, limits, history, StreamMeters.NONE);
    }

    public DeviceConnection(WebSocketConnection ws, Owner owner, Identity identity, Limits limits,
            BiFunction<Long, Integer, Uni<List<Frame>>> history, StreamMeters meters) {
        this.ws = ws;
        this.meters = meters;
        this.owner = owner;
        this.identity = identity;
        this.limits = limits;
        this.history = history;
        this.tokens = limits.rateBurst();
        this.tokenExpiry = identity.tokenExpiry();
    }

    /** Who is on the socket: account, session, device. */
    public record Identity(String accountId, String sessionId, String deviceId, Instant tokenExpiry) {
    }

    /**
     * @param outboundQueue frames queued before live traffic counts as a slow consumer
     * @param maxInFlight   writes handed to the socket at once
     * @param replayPage    most frames read from history at once
     */
    public record Limits(int outboundQueue, int maxInFlight, int rateLimit, int rateBurst, int maxStrikes, int replayPage) {

        /** The next history page is read once the queue holds no more than this. */
        int lowWatermark() {
            return Math.max(0, outboundQueue / 4);
        }
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

    public Uni<Void> presenceRecorded() {
        return presenceRecorded;
    }

    public void presenceRecorded(Uni<Void> recorded) {
        this.presenceRecorded = recorded;
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

    public Owner owner() {
        return owner;
    }

    public String epoch() {
        return epoch;
    }

    /** Seq of the last stream frame written to this socket. */
    public long lastSentSeq() {
        return lastSentSeq;
    }

    public boolean isLive() {
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

    /** Token bucket for inbound messages; false when this message exceeds the rate. Owner thread only. */
    public boolean tryAcquire() {
        long now = System.nanoTime();
        tokens = Math.min(limits.rateBurst(), tokens + (now - refillNanos) / 1e9 * limits.rateLimit());
        refillNanos = now;
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }

    /** Counts a refused message; true when the connection has used up its allowance and must be closed. Owner only. */
    public boolean strike() {
        return ++strikes >= limits.maxStrikes();
    }

    /**
     * Starts (or restarts, on a {@code resume}) the stream at {@code afterSeq} of {@code epoch}: the frames after it
     * are replayed from history, then the connection goes live. {@code before} (welcome, resync) is queued first. A
     * history read still running for an earlier start is discarded and the new one starts at once.
     */
    public void startAt(String epoch, long afterSeq, String... before) {
        owner.execute(() -> restart(epoch, afterSeq, false, before));
    }

    /**
     * The first start, at {@code head}: the head of the stream as read after this connection was registered (so every
     * frame stored after that read is offered to it). Nothing to replay: the connection goes live without reading
     * history, unless a frame beyond {@code head} was offered before this start (then history is read as usual). A
     * restart ({@code resume}) always reads history: {@link #startAt}.
     */
    public void startAtHead(String epoch, long head, String... before) {
        owner.execute(() -> restart(epoch, head, this.epoch == null && preStartHigh <= head, before));
    }

    private void restart(String epoch, long afterSeq, boolean caughtUp, String... before) {
        if (closing) {
            return;
        }
        generation++;
        this.epoch = epoch;
        this.lastSeq = afterSeq;
        this.lastSentSeq = afterSeq;
        this.liveHigh = afterSeq;
        this.live = false;
        this.replayed = 0;
        this.fetching = false;
        this.awaitingDemand = false;
        pendingLive.clear();
        queue.removeIf(o -> o.frame() != null || o.restartAt() >= 0); // frames of the old position would break the chain
        for (String text : before == null ? new String[0] : before) {
            if (text != null) {
                enqueue(Outgoing.control(text, null));
            }
        }
        if (caughtUp) {
            live = true;
            enqueue(Outgoing.control("{\"type\":\"live\",\"seq\":" + lastSeq + ",\"replayed\":0}", null));
        } else {
            fetch();
        }
    }

    /** A new frame of this account's stream (from this replica's ingest or from another replica). */
    public void offer(Frame frame) {
        owner.execute(() -> accept(frame));
    }

    private void accept(Frame frame) {
        if (closing) {
            return;
        }
        if (epoch == null) {
            // not started: the start reads history after this frame was stored (or sees it here: startAtHead)
            preStartHigh = Math.max(preStartHigh, frame.seq());
            return;
        }
        if (!frame.epoch().equals(epoch)) {
            meters.resync(ResumePlan.EPOCH_CHANGED);
            enqueue(Outgoing.control(resyncText(ResumePlan.EPOCH_CHANGED, frame.epoch(), frame.seq() - 1), null));
            return;
        }
        if (frame.seq() <= lastSeq) {
            return; // already queued (arrived twice: ingest and fan-out, or replay and live)
        }
        if (!live || fetching) {
            holdForSeam(frame);
            return;
        }
        if (frame.seq() > lastSeq + 1) {
            // frames are missing in between: read them from history, keep this one for the seam
            live = false;
            holdForSeam(frame);
            fetch();
            return;
        }
        lastSeq = frame.seq();
        enqueue(Outgoing.of(frame));
    }

    private void holdForSeam(Frame frame) {
        liveHigh = Math.max(liveHigh, frame.seq());
        if (pendingLive.size() < limits.outboundQueue()) {
            pendingLive.add(frame);
        } else {
            meters.droppedAtSeam(frame.delivery()); // it is stored: the seam reads it from history
        }
    }

    /** Reads the next history page when the queue has room for it; otherwise waits for the queue to drain. */
    private void fetch() {
        if (fetching || closing) {
            return;
        }
        if (queue.size() > limits.lowWatermark()) {
            awaitingDemand = true;
            return;
        }
        awaitingDemand = false;
        int page = Math.max(1, Math.min(limits.replayPage(), limits.outboundQueue() - queue.size()));
        fetching = true;
        meters.replayPage();
        int gen = generation;
        history.apply(lastSeq, page).subscribe().with(
                frames -> owner.execute(() -> fetched(gen, page, frames)),
                e -> owner.execute(() -> fetchFailed(gen, e)));
    }

    private void fetched(int gen, int page, List<Frame> frames) {
        if (gen != generation || closing) {
            return; // a resume restarted the stream meanwhile (and started its own read)
        }
        fetching = false;
        if (!frames.isEmpty()) {
            Frame first = frames.get(0);
            if (!first.epoch().equals(epoch)) {
                skipTo(ResumePlan.EPOCH_CHANGED, first.epoch(), first.seq() - 1);
            } else if (first.seq() > lastSeq + 1) {
                skipTo(ResumePlan.HISTORY_TRIMMED, epoch, first.seq() - 1); // retention dropped the frames in between
            }
            for (Frame f : frames) {
                if (f.seq() == lastSeq + 1) {
                    lastSeq = f.seq();
                    replayed++;
                    enqueue(Outgoing.of(f));
                }
            }
            if (closing) {
                return;
            }
        }
        if (frames.size() >= page) {
            fetch(); // more history: the next page once the queue has drained
            return;
        }
        // caught up with what was stored when the read ran: merge what arrived live meanwhile
        if (!mergePending()) {
            pendingLive.clear(); // no room for them now: they are stored, read them once the queue drains
            fetch();
            return;
        }
        if (!pendingLive.isEmpty()) {
            // a hole between the stored frames and the live ones that history does not have: retention dropped it
            skipTo(ResumePlan.HISTORY_TRIMMED, epoch, pendingLive.get(0).seq() - 1);
            mergePending();
        }
        if (liveHigh > lastSeq && !frames.isEmpty()) {
            fetch(); // live frames were dropped from the seam buffer: they are stored, read them
            return;
        }
        liveHigh = lastSeq;
        if (!live) {
            live = true;
            enqueue(Outgoing.control("{\"type\":\"live\",\"seq\":" + lastSeq + ",\"replayed\":" + replayed + "}", null));
            replayed = 0;
        }
    }

    /** Moves the live frames that continue the stream to the queue; false when it stopped for lack of room. */
    private boolean mergePending() {
        pendingLive.sort(Comparator.comparingLong(Frame::seq));
        Iterator<Frame> it = pendingLive.iterator();
        while (it.hasNext()) {
            Frame f = it.next();
            if (f.seq() <= lastSeq) {
                it.remove();
            } else if (f.seq() == lastSeq + 1) {
                if (queue.size() >= limits.outboundQueue()) {
                    return false;
                }
                lastSeq = f.seq();
                enqueue(Outgoing.of(f));
                it.remove();
            } else {
                break;
            }
        }
        return true;
    }

    /** The device cannot be brought up to date frame by frame: it resyncs and continues from {@code seq}. */
    private void skipTo(String reason, String newEpoch, long seq) {
        LOG.debugf("%s/%s: %s, continuing from %d", identity.accountId(), identity.deviceId(), reason, seq);
        epoch = newEpoch;
        lastSeq = seq;
        meters.resync(reason);
        enqueue(Outgoing.restart(resyncText(reason, newEpoch, seq), seq));
    }

    private static String resyncText(String reason, String epoch, long head) {
        Map<String, Object> resync = new LinkedHashMap<>();
        resync.put("type", "resync");
        resync.put("reason", reason);
        resync.put("epoch", epoch);
        resync.put("head", head);
        return Json.write(resync);
    }

    private void fetchFailed(int gen, Throwable e) {
        if (gen != generation) {
            return;
        }
        fetching = false;
        LOG.warnf("history read failed for %s/%s: %s", identity.accountId(), identity.deviceId(), e.getMessage());
        doClose(CloseCodes.reason(1011, "history unavailable; resume from seq " + lastSentSeq));
    }

    /** Queues a control frame; frames with the same non-null key replace each other while queued. */
    public void sendControl(String text, String coalesceKey) {
        owner.execute(() -> {
            if (!closing) {
                enqueue(Outgoing.control(text, coalesceKey));
            }
        });
    }

    private void enqueue(Outgoing out) {
        if (closing) {
            return;
        }
        if (out.coalesceKey() != null && !queue.isEmpty()) {
            boolean latestWins = out.frame() == null || out.frame().delivery() == DeliveryClass.LATEST_WINS;
            if (latestWins) {
                queue.removeIf(q -> {
                    if (out.coalesceKey().equals(q.coalesceKey())) {
                        meters.coalesced(q);
                        return true;
                    }
                    return false;
                });
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
                meters.sent(o);
                String text;
                if (o.frame() != null) {
                    text = o.frame().wire(lastSentSeq, identity.deviceId());
                    lastSentSeq = o.frame().seq();
                } else {
                    text = o.text();
                    if (o.restartAt() >= 0) {
                        lastSentSeq = o.restartAt();
                    }
                }
                inFlight++;
                ws.sendText(text).subscribe().with(
                        v -> owner.execute(this::written),
                        e -> owner.execute(() -> writeFailed(e)));
            }
        } finally {
            pumping = false;
        }
    }

    private void written() {
        inFlight--;
        pump();
        if (awaitingDemand && queue.size() <= limits.lowWatermark()) {
            fetch();
        }
    }

    private void writeFailed(Throwable e) {
        inFlight--;
        if (!closing) {
            LOG.debugf("write failed on %s: %s", ws.id(), e.getMessage());
            closing = true;
            dropQueued();
        }
    }

    private void slowConsumer() {
        LOG.infof("slow consumer %s/%s (queue %d): closing with resume hint", identity.accountId(), identity.deviceId(), queue.size());
        doClose(CloseCodes.reason(CloseCodes.SLOW_CONSUMER, "slow consumer; resume from seq " + lastSentSeq));
    }

    /** Closes the socket (once); queued frames are dropped, the device resumes from history. */
    public void close(CloseReason reason) {
        owner.execute(() -> doClose(reason));
    }

    private void doClose(CloseReason reason) {
        if (closing) {
            return;
        }
        closing = true;
        dropQueued();
        ws.close(reason).subscribe().with(v -> { }, e -> LOG.debugf("close of %s failed: %s", ws.id(), e.getMessage()));
    }

    /** Closes and completes when the close frame was written (shutdown). */
    public Uni<Void> closeAndWait(CloseReason reason) {
        return Uni.createFrom().<Void>emitter(em -> owner.execute(() -> {
            if (closing) {
                em.complete(null);
                return;
            }
            closing = true;
            dropQueued();
            ws.close(reason).subscribe().with(v -> em.complete(null), e -> em.complete(null));
        }));
    }

    /** Discards what waits for the socket (counted as dropped; it is stored, the device resumes it). */
    private void dropQueued() {
        meters.droppedAtClose(queue);
        for (Frame f : pendingLive) {
            meters.droppedAtClose(f.delivery());
        }
        queue.clear();
        pendingLive.clear();
    }

    /** Frames waiting in the outbound queue (owner thread; approximate elsewhere). */
    public int queued() {
        return queue.size();
    }
}
