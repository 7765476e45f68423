package io.continuum.recommendation.messaging;

import com.fasterxml.jackson.databind.JsonNode;
import io.continuum.events.CloudEvent;
import io.continuum.events.EventCodec;
import io.continuum.events.EventContractViolation;
import io.continuum.events.EventTypes;
import io.continuum.events.Topics;
import io.continuum.events.auth.DeviceRegistered;
import io.continuum.events.notification.PresenceChanged;
import io.continuum.events.state.PlaybackPositionChanged;
import io.continuum.events.state.PlaybackState;
import io.continuum.events.state.StateChanged;
import io.continuum.platform.inbox.ProcessedEvents;
import io.continuum.platform.kafka.ConsumerGroups;
import io.continuum.platform.kafka.ConsumerLoop;
import io.continuum.platform.kafka.KafkaClientSettings;
import io.continuum.platform.tracing.LogContext;
import io.continuum.platform.tracing.Traces;
import io.continuum.recommendation.config.RecommendationConfig;
import io.continuum.recommendation.persistence.DeviceStore;
import io.continuum.recommendation.persistence.HabitStore;
import io.continuum.recommendation.persistence.InteractionStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.opentelemetry.api.trace.Span;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * Learns from what the account does: playback positions, purchases and ratings ({@code state.events}), device
 * registrations and sign-ins ({@code auth.events}) and presence ({@code notification.events}). One consumer group for
 * all replicas; every event is applied once ({@link ProcessedEvents}, same transaction as its effect), a poll's events
 * in one transaction, and offsets are committed after it, so a crash redelivers and the redelivery is skipped. A
 * hand-run {@link ConsumerLoop} rather than a messaging channel: the effects must commit with their processed-event
 * rows before the offset, and the platform loop already gives reconnection and a prompt stop.
 *
 * <p>Every event that names a device also feeds the device-switch habits.
 */
@ApplicationScoped
public class EventConsumer {

    private volatile boolean assigned;

    static final String CONSUMER = "recommendation-feedback";
    private static final Logger LOG = Logger.getLogger(EventConsumer.class);

    private final ProcessedEvents processed;
    private final InteractionStore interactions;
    private final DeviceStore devices;
    private final HabitStore habits;
    private final RecommendationConfig config;
    private final KafkaClientSettings kafka;
    private final ZoneId zone;
    private final Counter applied;
    private final Counter skipped;
    private final DistributionSummary batchSize;
    private ConsumerLoop<String, byte[]> loop;

    private final Traces traces;

    public EventConsumer(ProcessedEvents processed, InteractionStore interactions, DeviceStore devices, HabitStore habits,
            RecommendationConfig config, KafkaClientSettings kafka,
            MeterRegistry meters, Traces traces) {
        this.traces = traces;
        this.processed = processed;
        this.interactions = interactions;
        this.devices = devices;
        this.habits = habits;
        this.config = config;
        this.kafka = kafka;
        this.zone = ZoneId.of(config.habits().zone());
        this.applied = Counter.builder("recommendation.events.applied").register(meters);
        this.skipped = Counter.builder("recommendation.events.skipped").description("redelivered or unreadable")
                .register(meters);
        this.batchSize = DistributionSummary.builder("recommendation.events.batch")
                .description("events applied per transaction (one transaction per poll)").register(meters);
    }

    // after Startup (catalog + first model), so a slow first training does not hold events
    void start(@Observes @Priority(5000) StartupEvent ignored) {
        if (!config.consumer().enabled()) {
            return;
        }
        loop = ConsumerLoop.start("recommendation-consumer", () -> new KafkaConsumer<>(properties()), (kafka, control) -> {
            kafka.subscribe(List.of(Topics.STATE_EVENTS, Topics.AUTH_EVENTS, Topics.NOTIFICATION_EVENTS),
                    // "assigned" means every event published from here on will be seen; the start positions are
                    // committed, so a partition handed over before its first event is not reset to latest again
                    ConsumerGroups.startListener(kafka, partitions -> assigned = true));
            while (control.running()) {
                ConsumerRecords<String, byte[]> records = kafka.poll(Duration.ofMillis(200));
                if (!records.isEmpty()) {
                    apply(records);
                    kafka.commitSync();
                }
            }
        });
    }

    /** True once the consumer holds its partitions and knows where it reads from: what is published after is seen. */
    public boolean assigned() {
        return assigned;
    }

    void stop(@Observes ShutdownEvent ignored) {
        if (loop != null) {
            loop.stop(Duration.ofSeconds(5));
        }
    }

    /** An event of the poll and what it changes, with its CONSUMER span (invalid while tracing is off). */
    private record Pending(CloudEvent event, List<Supplier<Uni<?>>> effects, Span span) {
    }

    /**
     * Applies a poll's events in one transaction, in the order read ({@link ProcessedEvents#processEachOnce}): each
     * event's processed-event row, then its effects. One commit for the poll instead of one per event (its PostgreSQL commit was most of this consumer's
     * cost per op). A failure rolls the whole poll back and throws; the loop reconnects and reads it again, and what
     * had been applied before is recognised by its processed-event row.
     */
    private void apply(ConsumerRecords<String, byte[]> records) {
        List<Pending> pending = new ArrayList<>(records.count());
        for (ConsumerRecord<String, byte[]> record : records) {
            CloudEvent event;
            try {
                event = EventCodec.shared().decode(record.value());
            } catch (EventContractViolation e) {
                skipped.increment();
                LOG.debugf("skipping unreadable record at %s-%d@%d", record.topic(), record.partition(), record.offset());
                continue;
            }
            List<Supplier<Uni<?>>> effects;
            try {
                effects = effects(event);
            } catch (EventContractViolation e) {
                skipped.increment();
                LogContext.consume(Span.getInvalid(), event.subject(), event.deviceid());
                LOG.warnf("skipping event %s (%s): %s", event.id(), event.type(), e.getMessage());
                LogContext.clear();
                continue;
            }
            if (!effects.isEmpty()) {
                // the event's effect in its producer's trace
                pending.add(new Pending(event, effects, traces.startConsumer(record.topic() + " consume", record.headers())));
            }
        }
        if (pending.isEmpty()) {
            return;
        }
        Map<CloudEvent, Pending> byEvent = new IdentityHashMap<>();
        pending.forEach(p -> byEvent.put(p.event(), p));
        List<Boolean> first;
        try {
            // runs on a Vert.x context (the reactive session needs one)
            first = VertxContextSupport.subscribeAndAwait(() -> processed.processEachOnce(CONSUMER,
                    pending.stream().map(Pending::event).toList(), e -> Traces.within(byEvent.get(e).span(), e.subject(), e.deviceid(),
                            () -> sequence(byEvent.get(e).effects()))));
        } catch (Throwable e) {
            pending.forEach(p -> Traces.fail(p.span(), e));
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("applying " + pending.size() + " events failed", e);
        }
        batchSize.record(pending.size());
        for (int i = 0; i < pending.size(); i++) {
            pending.get(i).span().end();
            (first.get(i) ? applied : skipped).increment();
        }
    }

    private static Uni<?> sequence(List<Supplier<Uni<?>>> effects) {
        Uni<?> chain = Uni.createFrom().voidItem();
        for (var e : effects) {
            chain = chain.chain(e::get);
        }
        return chain;
    }

    /** What an event changes; empty when it teaches nothing. */
    List<Supplier<Uni<?>>> effects(CloudEvent event) {
        String account = event.subject();
        Instant at = event.time() == null ? Instant.now() : event.time();
        List<Supplier<Uni<?>>> out = new ArrayList<>();
        String activityDevice = event.deviceid();
        String content = null;
        Long position = null;
        Instant activityAt = at;
        var playback = event.dataAs(EventTypes.PLAYBACK_POSITION_CHANGED);
        var changed = event.dataAs(EventTypes.STATE_CHANGED);
        var registered = event.dataAs(EventTypes.DEVICE_REGISTERED);
        var signedIn = event.dataAs(EventTypes.DEVICE_SIGNED_IN);
        var presence = event.dataAs(EventTypes.PRESENCE_CHANGED);
        if (playback.isPresent()) {
            PlaybackPositionChanged p = playback.get();
            if (p.contentId() != null) {
                double ratio = p.durationMs() > 0 ? Math.min(1, p.positionMs() / (double) p.durationMs()) : 0;
                boolean stopped = p.state() == PlaybackState.STOPPED;
                out.add(() -> interactions.playback(account, p.contentId(), ratio, stopped, at));
                content = p.contentId();
                position = p.positionMs();
            }
        } else if (changed.isPresent()) {
            StateChanged c = changed.get();
            if ("purchase".equals(c.kind()) && c.key() != null) {
                out.add(() -> interactions.purchase(account, c.key(), at));
            } else if ("rating".equals(c.kind()) && c.key() != null) {
                Integer stars = stars(c.value());
                if (stars != null) {
                    out.add(() -> interactions.rating(account, c.key(), stars, at));
                }
            }
        } else if (registered.isPresent()) {
            DeviceRegistered d = registered.get();
            if (d.deviceId() != null && d.kind() != null) {
                out.add(() -> devices.register(account, d.deviceId(), d.kind().name().toLowerCase(Locale.ROOT)));
                activityDevice = d.deviceId();
            }
        } else if (signedIn.isPresent()) {
            activityDevice = signedIn.get().deviceId();
        } else if (presence.isPresent()) {
            PresenceChanged p = presence.get();
            activityDevice = p.online() ? p.deviceId() : null; // going offline is no activity
            activityAt = p.at() == null ? at : p.at();
        }
        if (activityDevice != null && config.habits().enabled()
                && (out.size() > 0 || signedIn.isPresent() || presence.isPresent() || changed.isPresent())) {
            String device = activityDevice;
            String c = content;
            Long pos = position;
            Instant when = activityAt;
            out.add(() -> habits.activity(account, device, when, c, pos, config.habits().maxGap(), zone));
        }
        return out;
    }

    /** An explicit rating: a number 1..5, or {@code {"rating": n}} / {@code {"stars": n}}. */
    static Integer stars(JsonNode value) {
        JsonNode v = value == null ? null : value.isObject() ? (value.has("rating") ? value.get("rating") : value.get("stars")) : value;
        if (v == null || !v.isNumber()) {
            return null;
        }
        int s = (int) Math.round(v.asDouble());
        return s >= 1 && s <= 5 ? s : null;
    }

    private Properties properties() {
        Properties p = ConsumerGroups.applyTo(kafka.applyTo(new Properties()));
        p.put(ConsumerConfig.GROUP_ID_CONFIG, config.consumer().group());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, config.consumer().offsetReset());
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "200");
        // a learner, not a live path: the broker holds a fetch up to 100 ms for 64 KB, so a busy stream arrives in
        // polls of tens of events (one transaction each) instead of one event per poll; learning stays well within its
        // 2 s, and an idle consumer asks ten times a second
        p.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, "65536");
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return p;
    }
}
