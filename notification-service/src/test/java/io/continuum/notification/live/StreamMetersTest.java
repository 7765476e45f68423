package io.continuum.notification.live;

import io.continuum.notification.domain.DeliveryClass;
import io.continuum.notification.domain.Frame;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.websockets.next.CloseReason;
import io.smallrye.mutiny.Uni;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The socket meters move with what a connection does: a replay (pages, frames sent by class), a coalesce, a retention
 * hole (resync), a close with frames still queued (dropped). Fakes: the socket is
 * {@link DeviceConnectionTest.StalledSocket} (writes complete when the test releases them), history an in-memory
 * function, the registry a {@link SimpleMeterRegistry}; the connection runs on the test thread.
 */
class StreamMetersTest {

    private static Frame frame(long seq, DeliveryClass delivery, String key) {
        return new Frame("acc", seq, "e1", "ev-" + seq, "continuum.test.v1", delivery, key, "phone", null, Instant.EPOCH,
                "{\"n\":" + seq + "}");
    }

    private static double count(MeterRegistry r, String name, String... tags) {
        var c = r.find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void aReplayACoalesceAResyncAndACloseMoveTheirMeters() {
        MeterRegistry registry = new SimpleMeterRegistry();
        StreamMeters meters = new StreamMeters(registry);
        DeviceConnectionTest.StalledSocket s = new DeviceConnectionTest.StalledSocket();
        // history starts at 3 (1 and 2 were trimmed): a resync, then 3..5 replayed in one page
        List<Frame> stored = List.of(frame(3, DeliveryClass.CRITICAL, null), frame(4, DeliveryClass.ORDERED, null),
                frame(5, DeliveryClass.ORDERED, null));
        DeviceConnection c = new DeviceConnection(s.ws, DeviceConnection.Owner.CALLER,
                new DeviceConnection.Identity("acc", "sid", "tv", Instant.now().plusSeconds(300)),
                new DeviceConnection.Limits(100, 1, 50, 200, 50, 200),
                (from, limit) -> Uni.createFrom().item(stored.stream().filter(f -> f.seq() > from).toList()), meters);

        c.startAt("e1", 0, "{\"type\":\"welcome\"}");
        for (int i = 0; i < 20 && !s.pending.isEmpty(); i++) {
            s.releaseAll();
        }
        assertThat(count(registry, "continuum.notification.replay.pages")).isEqualTo(1);
        assertThat(count(registry, "continuum.notification.resyncs", "reason", "history-trimmed")).isEqualTo(1);
        assertThat(count(registry, "continuum.notification.frames.sent", "class", "critical")).isEqualTo(1);
        assertThat(count(registry, "continuum.notification.frames.sent", "class", "ordered")).isEqualTo(2);
        assertThat(count(registry, "continuum.notification.frames.sent", "class", "control")).isEqualTo(3); // welcome, resync, live

        // the socket stalls: three position ticks of one key queue behind the one in flight, two are replaced
        c.offer(frame(6, DeliveryClass.ORDERED, null)); // in flight, stalled
        c.offer(frame(7, DeliveryClass.LATEST_WINS, "playback:m"));
        c.offer(frame(8, DeliveryClass.LATEST_WINS, "playback:m"));
        c.offer(frame(9, DeliveryClass.LATEST_WINS, "playback:m"));
        assertThat(count(registry, "continuum.notification.frames.coalesced", "class", "latest-wins")).isEqualTo(2);
        assertThat(c.queued()).isEqualTo(1);

        c.close(new CloseReason(4003, "session revoked"));
        assertThat(count(registry, "continuum.notification.frames.dropped", "class", "latest-wins", "reason", "closed"))
                .isEqualTo(1);
        assertThat(count(registry, "continuum.notification.frames.sent", "class", "latest-wins")).isZero();
        meters.closed(4003);
        meters.closed(null);
        assertThat(count(registry, "continuum.notification.closes", "code", "4003")).isEqualTo(1);
        assertThat(count(registry, "continuum.notification.closes", "code", "none")).isEqualTo(1);
    }
}
