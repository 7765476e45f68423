package io.continuum.notification.live;

import io.continuum.notification.domain.DeliveryClass;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The meters of this replica's sockets (docs/operations.md, "Metrics"). Tags are low-cardinality only: delivery class,
 * drop reason, resync reason, close code; never an account or a device.
 *
 * <ul>
 *   <li>{@code continuum.notification.streams}: accounts with at least one socket on this replica (gauge);</li>
 *   <li>{@code continuum.notification.frames.sent{class}}: frames written to sockets, {@code class} a delivery class or
 *       {@code control} (welcome, live, presence, answers);</li>
 *   <li>{@code continuum.notification.frames.coalesced{class}}: queued frames replaced by a newer one of the same key;</li>
 *   <li>{@code continuum.notification.frames.dropped{class,reason}}: frames thrown away before the socket got them
 *       ({@code closed}: queued when the socket closed; {@code seam}: the seam buffer of a replaying socket was full,
 *       read from history instead). Dropped frames are stored: the device gets them when it resumes;</li>
 *   <li>{@code continuum.notification.replay.pages}: history pages read for replays and gap fills;</li>
 *   <li>{@code continuum.notification.resyncs{reason}}: {@code resync} frames sent;</li>
 *   <li>{@code continuum.notification.closes{code}}: closed sockets by close code (either side; {@code none} when the
 *       TCP connection dropped without a close frame);</li>
 *   <li>{@code continuum.notification.identity.updates{result}}: refreshed tokens ({@code auth}) that moved the
 *       upgrade's security identity ({@code moved}) or could not ({@code failed}: that socket is closed with 1008 at
 *       its previous token's expiry).</li>
 * </ul>
 */
@ApplicationScoped
public class StreamMeters {

    /** Not registered anywhere (unit tests of a connection). */
    public static final StreamMeters NONE = new StreamMeters(new SimpleMeterRegistry());

    private final MeterRegistry registry;
    private final Map<DeliveryClass, Counter> sent = new EnumMap<>(DeliveryClass.class);
    private final Map<DeliveryClass, Counter> coalesced = new EnumMap<>(DeliveryClass.class);
    private final Map<DeliveryClass, Counter> droppedClosed = new EnumMap<>(DeliveryClass.class);
    private final Map<DeliveryClass, Counter> droppedSeam = new EnumMap<>(DeliveryClass.class);
    private final Counter sentControl;
    private final Counter coalescedControl;
    private final Counter droppedControl;
    private final Counter replayPages;
    private final Map<String, Counter> resyncs = new ConcurrentHashMap<>();
    private final Map<String, Counter> closes = new ConcurrentHashMap<>();
    private final Counter identityMoved;
    private final Counter identityNotMoved;

    @Inject
    public StreamMeters(MeterRegistry registry, ConnectionRegistry connections) {
        this(registry);
        Gauge.builder("continuum.notification.streams", connections, ConnectionRegistry::streams)
                .description("Account streams with at least one socket on this replica").register(registry);
    }

    StreamMeters(MeterRegistry registry) {
        this.registry = registry;
        for (DeliveryClass c : DeliveryClass.values()) {
            sent.put(c, sent(registry, c.wire()));
            coalesced.put(c, coalesced(registry, c.wire()));
            droppedClosed.put(c, dropped(registry, c.wire(), "closed"));
            droppedSeam.put(c, dropped(registry, c.wire(), "seam"));
        }
        sentControl = sent(registry, "control");
        coalescedControl = coalesced(registry, "control");
        droppedControl = dropped(registry, "control", "closed");
        identityMoved = identityUpdates(registry, "moved");
        identityNotMoved = identityUpdates(registry, "failed");
        replayPages = Counter.builder("continuum.notification.replay.pages")
                .description("History pages read for replays and gap fills").register(registry);
    }

    private static Counter identityUpdates(MeterRegistry r, String result) {
        return Counter.builder("continuum.notification.identity.updates").tag("result", result)
                .description("Refreshed tokens that moved (or failed to move) the socket's security identity").register(r);
    }

    /** A refreshed token ({@code auth}) moved the upgrade's security identity, or could not. */
    public void identityUpdate(boolean moved) {
        (moved ? identityMoved : identityNotMoved).increment();
    }

    private static Counter sent(MeterRegistry r, String cls) {
        return Counter.builder("continuum.notification.frames.sent").tag("class", cls)
                .description("Frames written to device sockets, by delivery class").register(r);
    }

    private static Counter coalesced(MeterRegistry r, String cls) {
        return Counter.builder("continuum.notification.frames.coalesced").tag("class", cls)
                .description("Queued frames replaced by a newer one with the same key (latest wins)").register(r);
    }

    private static Counter dropped(MeterRegistry r, String cls, String reason) {
        return Counter.builder("continuum.notification.frames.dropped").tag("class", cls).tag("reason", reason)
                .description("Frames discarded before reaching the socket (stored: the device resumes them)").register(r);
    }

    void sent(Outgoing o) {
        (o.frame() == null ? sentControl : sent.get(o.frame().delivery())).increment();
    }

    void coalesced(Outgoing o) {
        (o.frame() == null ? coalescedControl : coalesced.get(o.frame().delivery())).increment();
    }

    /** Queued frames discarded by a close. */
    void droppedAtClose(Iterable<Outgoing> queued) {
        for (Outgoing o : queued) {
            (o.frame() == null ? droppedControl : droppedClosed.get(o.frame().delivery())).increment();
        }
    }

    void droppedAtClose(DeliveryClass c) {
        droppedClosed.get(c).increment();
    }

    void droppedAtSeam(DeliveryClass c) {
        droppedSeam.get(c).increment();
    }

    void replayPage() {
        replayPages.increment();
    }

    /** A {@code resync} sent; {@code reason} is one of the few of {@code ResumePlan}. */
    public void resync(String reason) {
        resyncs.computeIfAbsent(reason, r -> Counter.builder("continuum.notification.resyncs").tag("reason", r)
                .description("resync frames sent (history could not bring the device up to date)").register(registry))
                .increment();
    }

    /** A socket closed with {@code code} (null: no close frame). Codes are a small set (RFC 6455 + ours). */
    public void closed(Integer code) {
        String tag = code == null ? "none" : code >= 1000 && code < 5000 ? Integer.toString(code) : "other";
        closes.computeIfAbsent(tag, t -> Counter.builder("continuum.notification.closes").tag("code", t)
                .description("Device sockets closed, by close code").register(registry)).increment();
    }
}
