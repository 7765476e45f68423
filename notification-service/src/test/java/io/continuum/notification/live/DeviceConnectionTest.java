package io.continuum.notification.live;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.continuum.notification.domain.DeliveryClass;
import io.continuum.notification.domain.Frame;
import io.continuum.notification.domain.ResumePlan;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The per-socket queue: order, coalescing of latest-wins frames, the prev chain, overflow, demand-driven replay,
 * resume during a replay, retention holes, and resume decisions. Fakes: the socket is a proxy
 * {@link WebSocketConnection} whose writes complete when the test releases them; history is an in-memory function;
 * the connection runs on the test thread ({@link DeviceConnection.Owner#CALLER}).
 */
class DeviceConnectionTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A socket whose writes complete only when the test releases them (a stalled network). */
    static final class StalledSocket {
        final List<String> written = new CopyOnWriteArrayList<>();
        final List<UniEmitter<? super Void>> pending = new CopyOnWriteArrayList<>();
        volatile CloseReason closed;
        final WebSocketConnection ws = (WebSocketConnection) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {WebSocketConnection.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "id" -> "c1";
                    case "isOpen" -> closed == null;
                    case "isClosed" -> closed != null;
                    case "sendText" -> {
                        written.add((String) args[0]);
                        yield Uni.createFrom().<Void>emitter(pending::add);
                    }
                    case "close" -> {
                        closed = (CloseReason) args[0];
                        yield Uni.createFrom().voidItem();
                    }
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "StalledSocket";
                    default -> throw new UnsupportedOperationException(method.getName());
                });

        void releaseAll() {
            while (!pending.isEmpty()) {
                UniEmitter<? super Void> e = pending.remove(0);
                e.complete(null);
            }
        }

        List<JsonNode> frames() throws Exception {
            List<JsonNode> out = new ArrayList<>();
            for (String w : written) {
                out.add(JSON.readTree(w));
            }
            return out;
        }
    }

    private static Frame frame(long seq, DeliveryClass delivery, String key) {
        return new Frame("acc", seq, "e1", "ev-" + seq, "continuum.test.v1", delivery, key, "phone", null, Instant.EPOCH,
                "{\"n\":" + seq + "}");
    }

    private static DeviceConnection connection(StalledSocket s, int queue, int inFlight) {
        return new DeviceConnection(s.ws, DeviceConnection.Owner.CALLER,
                new DeviceConnection.Identity("acc", "sid", "tv", Instant.now().plusSeconds(300)),
                new DeviceConnection.Limits(queue, inFlight, 50, 200, 50, 200), (from, limit) -> Uni.createFrom().item(List.of()));
    }

    @Test
    void queuedLatestWinsFramesAreReplacedByNewerOnesAndThePrevChainShowsItIsNoGap() throws Exception {
        StalledSocket s = new StalledSocket();
        DeviceConnection c = connection(s, 100, 1);
        c.startAt("e1", 0, "{\"type\":\"welcome\"}"); // the welcome write stalls: everything else queues
        for (long seq = 1; seq <= 5; seq++) {
            c.offer(frame(seq, DeliveryClass.LATEST_WINS, "playback:m"));
        }
        c.offer(frame(6, DeliveryClass.CRITICAL, null));
        c.offer(frame(7, DeliveryClass.CRITICAL, null));
        for (int i = 0; i < 20 && (!s.pending.isEmpty()); i++) {
            s.releaseAll();
        }
        List<JsonNode> got = s.frames();
        assertThat(got).extracting(f -> f.path("type").asText())
                .containsExactly("welcome", "live", "continuum.test.v1", "continuum.test.v1", "continuum.test.v1");
        List<JsonNode> stream = got.subList(2, 5);
        assertThat(stream).extracting(f -> f.path("seq").asLong()).containsExactly(5L, 6L, 7L); // 1..4 superseded by 5
        assertThat(stream).extracting(f -> f.path("prev").asLong()).containsExactly(0L, 5L, 6L);
        assertThat(stream.get(0).path("class").asText()).isEqualTo("latest-wins");
        assertThat(stream.get(0).path("echo").asBoolean()).isFalse(); // origin phone, this is tv
        assertThat(s.closed).isNull();
    }

    @Test
    void criticalFramesAreNeverCoalescedAndAnOverflowClosesWithAResumeHint() throws Exception {
        StalledSocket s = new StalledSocket();
        DeviceConnection c = connection(s, 5, 1);
        c.startAt("e1", 0);
        s.releaseAll(); // "live" written; from now on the socket stalls
        c.offer(frame(1, DeliveryClass.CRITICAL, null)); // in flight, stalled
        for (long seq = 2; seq <= 6; seq++) {
            c.offer(frame(seq, DeliveryClass.CRITICAL, "same-key-ignored"));
        }
        assertThat(c.queued()).isEqualTo(5);
        assertThat(s.closed).isNull();
        c.offer(frame(7, DeliveryClass.CRITICAL, null));
        assertThat(s.closed).isNotNull();
        assertThat(s.closed.getCode()).isEqualTo(CloseCodes.SLOW_CONSUMER);
        assertThat(s.closed.getMessage()).isEqualTo("slow consumer; resume from seq 1");
    }

    @Test
    void duplicatesAreDroppedAndAGapIsFilledFromHistoryBeforeGoingOn() throws Exception {
        StalledSocket s = new StalledSocket();
        List<Long> asked = new CopyOnWriteArrayList<>();
        DeviceConnection c = new DeviceConnection(s.ws, DeviceConnection.Owner.CALLER,
                new DeviceConnection.Identity("acc", "sid", "phone", Instant.now().plusSeconds(300)),
                new DeviceConnection.Limits(100, 100, 50, 200, 50, 200), (from, limit) -> {
                    asked.add(from);
                    return Uni.createFrom().item(from == 1 ? List.of(frame(2, DeliveryClass.ORDERED, null), frame(3, DeliveryClass.ORDERED, null))
                            : List.of());
                });
        c.startAt("e1", 0);
        c.offer(frame(1, DeliveryClass.ORDERED, null));
        c.offer(frame(1, DeliveryClass.ORDERED, null)); // again (ingest and fan-out both delivered it)
        c.offer(frame(4, DeliveryClass.ORDERED, null)); // 2 and 3 missing
        s.releaseAll();
        assertThat(asked).containsExactly(0L, 1L);
        List<JsonNode> stream = s.frames().stream().filter(f -> f.path("type").asText().contains(".")).toList();
        assertThat(stream).extracting(f -> f.path("seq").asLong()).containsExactly(1L, 2L, 3L, 4L);
        assertThat(stream.get(0).path("echo").asBoolean()).isTrue(); // origin phone = this device
    }

    /** History of frames {@code 1..head} with {@code 1..trimmedThrough} dropped by retention; counts the reads. */
    static final class History {
        final long trimmedThrough;
        final long head;
        final List<long[]> reads = new CopyOnWriteArrayList<>();

        History(long trimmedThrough, long head) {
            this.trimmedThrough = trimmedThrough;
            this.head = head;
        }

        Uni<List<Frame>> read(long after, int limit) {
            reads.add(new long[] {after, limit});
            if (reads.size() > 100) {
                return Uni.createFrom().failure(new IllegalStateException("history read in a loop"));
            }
            List<Frame> out = new ArrayList<>();
            for (long seq = Math.max(after, trimmedThrough) + 1; seq <= head && out.size() < limit; seq++) {
                out.add(frame(seq, DeliveryClass.ORDERED, null));
            }
            return Uni.createFrom().item(out);
        }
    }

    /** Releases written frames as a reading client would, until the socket is idle; returns the most queued at once. */
    private static int drain(StalledSocket s, DeviceConnection c) {
        int maxQueued = c.queued();
        for (int i = 0; i < 100_000 && !s.pending.isEmpty(); i++) {
            s.pending.remove(0).complete(null);
            maxQueued = Math.max(maxQueued, c.queued());
        }
        return maxQueued;
    }

    private static List<JsonNode> stream(StalledSocket s) throws Exception {
        return s.frames().stream().filter(f -> f.path("type").asText().contains(".")).toList();
    }

    @Test
    void aDevice1500FramesBehindIsReplayedPageByPageAsItReadsAndNeverOverflowsItsQueue() throws Exception {
        StalledSocket s = new StalledSocket();
        History h = new History(0, 1500);
        DeviceConnection c = new DeviceConnection(s.ws, DeviceConnection.Owner.CALLER,
                new DeviceConnection.Identity("acc", "sid", "tv", Instant.now().plusSeconds(300)),
                new DeviceConnection.Limits(200, 16, 50, 200, 50, 200), h::read);
        c.startAt("e1", 0, "{\"type\":\"welcome\"}");
        int maxQueued = drain(s, c);
        assertThat(s.closed).isNull();
        List<JsonNode> got = stream(s);
        assertThat(got).hasSize(1500);
        for (int i = 0; i < got.size(); i++) {
            assertThat(got.get(i).path("seq").asLong()).isEqualTo(i + 1);
            assertThat(got.get(i).path("prev").asLong()).isEqualTo(i);
        }
        JsonNode live = s.frames().get(s.frames().size() - 1);
        assertThat(live.path("type").asText()).isEqualTo("live");
        assertThat(live.path("replayed").asInt()).isEqualTo(1500);
        assertThat(maxQueued).isLessThanOrEqualTo(200);
        assertThat(h.reads).hasSizeGreaterThanOrEqualTo(8); // one page at a time, as the socket drained
        // live frames continue the chain
        c.offer(frame(1501, DeliveryClass.ORDERED, null));
        drain(s, c);
        assertThat(stream(s).get(1500).path("prev").asLong()).isEqualTo(1500);
    }

    @Test
    void aResumeSentWhileAReplayRunsRestartsTheStreamAtOnce() throws Exception {
        StalledSocket s = new StalledSocket();
        List<Long> asked = new CopyOnWriteArrayList<>();
        List<UniEmitter<? super List<Frame>>> stalledReads = new CopyOnWriteArrayList<>();
        DeviceConnection c = new DeviceConnection(s.ws, DeviceConnection.Owner.CALLER,
                new DeviceConnection.Identity("acc", "sid", "tv", Instant.now().plusSeconds(300)),
                new DeviceConnection.Limits(200, 16, 50, 200, 50, 200), (from, limit) -> {
                    asked.add(from);
                    if (from == 0) {
                        return Uni.createFrom().emitter(stalledReads::add); // a slow read of a long replay
                    }
                    return Uni.createFrom().item(List.of(frame(51, DeliveryClass.ORDERED, null), frame(52, DeliveryClass.ORDERED, null)));
                });
        c.startAt("e1", 0, "{\"type\":\"welcome\"}");
        c.startAt("e1", 50, "{\"type\":\"welcome\"}"); // the device sent resume(50) meanwhile
        drain(s, c);
        assertThat(asked).containsExactly(0L, 50L);
        assertThat(stream(s)).extracting(f -> f.path("seq").asLong()).containsExactly(51L, 52L);
        assertThat(stream(s).get(0).path("prev").asLong()).isEqualTo(50);
        assertThat(s.frames()).extracting(f -> f.path("type").asText()).contains("live");
        // the first read completes late: its frames belong to the abandoned start and are not sent
        stalledReads.get(0).complete(List.of(frame(1, DeliveryClass.ORDERED, null)));
        drain(s, c);
        assertThat(stream(s)).extracting(f -> f.path("seq").asLong()).containsExactly(51L, 52L);
        assertThat(s.closed).isNull();
    }

    @Test
    void aHoleLeftByRetentionBecomesAResyncAndTheReplayEndsInsteadOfLooping() throws Exception {
        StalledSocket s = new StalledSocket();
        History h = new History(99, 120); // the device is at 10, retention dropped 1..99
        DeviceConnection c = new DeviceConnection(s.ws, DeviceConnection.Owner.CALLER,
                new DeviceConnection.Identity("acc", "sid", "tv", Instant.now().plusSeconds(300)),
                new DeviceConnection.Limits(200, 16, 50, 200, 50, 200), h::read);
        c.startAt("e1", 10);
        drain(s, c);
        assertThat(s.closed).isNull();
        List<JsonNode> all = s.frames();
        assertThat(all.get(0).path("type").asText()).isEqualTo("resync");
        assertThat(all.get(0).path("reason").asText()).isEqualTo("history-trimmed");
        assertThat(all.get(0).path("head").asLong()).isEqualTo(99);
        assertThat(stream(s)).extracting(f -> f.path("seq").asLong()).startsWith(100L).endsWith(120L).hasSize(21);
        assertThat(stream(s).get(0).path("prev").asLong()).isEqualTo(99); // the chain restarts at the resync head
        assertThat(all.get(all.size() - 1).path("type").asText()).isEqualTo("live");
        assertThat(h.reads).hasSizeLessThanOrEqualTo(2);

        // live: a frame after a hole that history cannot fill (trimmed meanwhile) -> resync, then on
        StalledSocket s2 = new StalledSocket();
        History empty = new History(0, 0);
        DeviceConnection c2 = new DeviceConnection(s2.ws, DeviceConnection.Owner.CALLER,
                new DeviceConnection.Identity("acc", "sid", "tv", Instant.now().plusSeconds(300)),
                new DeviceConnection.Limits(200, 16, 50, 200, 50, 200), empty::read);
        c2.startAt("e1", 5);
        drain(s2, c2);
        c2.offer(frame(9, DeliveryClass.ORDERED, null)); // 6..8 are gone
        drain(s2, c2);
        assertThat(s2.closed).isNull();
        assertThat(s2.frames()).extracting(f -> f.path("type").asText()).containsSubsequence("live", "resync", "continuum.test.v1", "live");
        assertThat(stream(s2)).extracting(f -> f.path("seq").asLong()).containsExactly(9L);
        assertThat(empty.reads).hasSizeLessThanOrEqualTo(3);
    }

    @Test
    void resumeDecisions() {
        assertThat(ResumePlan.decide("e", 10, 1L, null, null, 100)).isEqualTo(new ResumePlan(10, null));
        assertThat(ResumePlan.decide("e", 10, 1L, 4L, "e", 100)).isEqualTo(new ResumePlan(4, null));
        assertThat(ResumePlan.decide("e", 10, 1L, 0L, null, 100)).isEqualTo(new ResumePlan(0, null));
        assertThat(ResumePlan.decide("e", 10, 1L, 4L, "old", 100).resync()).isEqualTo(ResumePlan.EPOCH_CHANGED);
        assertThat(ResumePlan.decide("e", 10, 6L, 4L, "e", 100).resync()).isEqualTo(ResumePlan.HISTORY_TRIMMED);
        assertThat(ResumePlan.decide("e", 10, 5L, 4L, "e", 100)).isEqualTo(new ResumePlan(4, null));
        assertThat(ResumePlan.decide("e", 10, null, 4L, "e", 100).resync()).isEqualTo(ResumePlan.HISTORY_TRIMMED);
        assertThat(ResumePlan.decide("e", 10, 1L, 11L, "e", 100).resync()).isEqualTo(ResumePlan.AHEAD_OF_STREAM);
        assertThat(ResumePlan.decide("e", 10, 1L, 10L, "e", 100)).isEqualTo(new ResumePlan(10, null));
        assertThat(ResumePlan.decide("e", 500, 1L, 4L, "e", 100).resync()).isEqualTo(ResumePlan.TOO_FAR_BEHIND);
    }

    @Test
    void aStartAtTheHeadGoesLiveWithoutAHistoryReadUnlessAFrameBeyondItArrivedFirst() throws Exception {
        StalledSocket s = new StalledSocket();
        List<Long> asked = new CopyOnWriteArrayList<>();
        DeviceConnection c = new DeviceConnection(s.ws, DeviceConnection.Owner.CALLER,
                new DeviceConnection.Identity("acc", "sid", "tv", Instant.now().plusSeconds(300)),
                new DeviceConnection.Limits(100, 100, 50, 200, 50, 200), (from, limit) -> {
                    asked.add(from);
                    return Uni.createFrom().item(List.of());
                });
        c.startAtHead("e1", 7, "{\"type\":\"welcome\"}");
        assertThat(asked).isEmpty();
        c.offer(frame(8, DeliveryClass.ORDERED, null)); // stored after the head was read: comes live
        assertThat(s.frames()).extracting(f -> f.path("type").asText()).containsExactly("welcome", "live", "continuum.test.v1");
        assertThat(s.frames().get(1).path("seq").asLong()).isEqualTo(7);
        assertThat(s.frames().get(2).path("prev").asLong()).isEqualTo(7);

        // a frame stored after the head was read and offered before the start: history is read as usual
        StalledSocket s2 = new StalledSocket();
        List<Long> asked2 = new CopyOnWriteArrayList<>();
        DeviceConnection c2 = new DeviceConnection(s2.ws, DeviceConnection.Owner.CALLER,
                new DeviceConnection.Identity("acc", "sid", "tv", Instant.now().plusSeconds(300)),
                new DeviceConnection.Limits(100, 100, 50, 200, 50, 200), (from, limit) -> {
                    asked2.add(from);
                    return Uni.createFrom().item(from == 7 ? List.of(frame(8, DeliveryClass.ORDERED, null)) : List.<Frame>of());
                });
        c2.offer(frame(8, DeliveryClass.ORDERED, null));
        c2.startAtHead("e1", 7, "{\"type\":\"welcome\"}");
        assertThat(asked2).containsExactly(7L);
        assertThat(s2.frames()).extracting(f -> f.path("type").asText()).containsExactly("welcome", "continuum.test.v1", "live");
    }
}
