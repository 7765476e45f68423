package io.continuum.notification.messaging;

import io.continuum.events.CloudEvent;
import io.continuum.events.EventCodec;
import io.continuum.notification.config.NotificationConfig;
import io.continuum.notification.domain.FrameTypes;
import io.continuum.notification.persistence.StreamStore;
import io.continuum.platform.kafka.Backoff;
import io.continuum.platform.kafka.ConsumerGroups;
import io.continuum.platform.kafka.ConsumerLoop;
import io.continuum.platform.kafka.KafkaClientSettings;
import io.continuum.platform.tracing.Traces;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * Turns every event of the public topics that concerns an account into a frame of that account's stream. One
 * consumer group across replicas (each partition, so each account, is ingested by one replica at a time). Per poll
 * batch, each account's events are appended in order while different accounts are appended concurrently; offsets
 * are committed only after the whole batch is stored. A failed batch is read again (appends de-duplicate by event
 * id).
 */
@ApplicationScoped
public class Ingest {

    private static final Logger LOG = Logger.getLogger(Ingest.class);

    private final NotificationConfig config;
    private final StreamStore store;
    private final FrameRouter router;
    private final KafkaClientSettings kafka;
    private final Traces traces;
    private final EventCodec codec = EventCodec.shared();
    private final Counter ingested;
    private final Counter skipped;
    private final io.micrometer.core.instrument.Timer storeTime;
    private final io.micrometer.core.instrument.Timer eventAge;
    private ConsumerLoop<String, byte[]> loop;
    private final CountDownLatch assigned = new CountDownLatch(1);

    public Ingest(NotificationConfig config, StreamStore store, FrameRouter router, MeterRegistry registry,
            KafkaClientSettings kafka, Traces traces) {
        this.config = config;
        this.traces = traces;
        this.store = store;
        this.router = router;
        this.kafka = kafka;
        this.ingested = registry.counter("continuum.notification.ingested");
        this.skipped = registry.counter("continuum.notification.ingest.skipped");
        this.storeTime = io.micrometer.core.instrument.Timer.builder("continuum.notification.ingest.store")
                .description("Appending one frame to the account stream (one statement)")
                .publishPercentiles(0.5, 0.99).register(registry);
        this.eventAge = io.micrometer.core.instrument.Timer.builder("continuum.notification.event.age")
                .description("Event time (producer) to frame handed to the sockets: upstream outbox + Kafka + ingest")
                .publishPercentiles(0.5, 0.99).register(registry);
    }

    void start(@Observes StartupEvent event) {
        if (!config.ingest().enabled()) {
            return;
        }
        Properties c = kafka.applyTo(new Properties());
        // a killed replica's partitions move after the broker's smallest session timeout (6 s), not the client's 45 s:
        // what is published to them meanwhile waits for the new owner (devices are live before that, see StreamSessions)
        ConsumerGroups.applyFastHandOver(c);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, config.ingest().group());
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
        loop = ConsumerLoop.start("stream-ingest",
                () -> new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer()), this::follow);
    }

    void stop(@Observes ShutdownEvent event) {
        if (loop != null) {
            loop.stop(Duration.ofSeconds(5));
        }
    }

    /** Waits until this replica has partitions of the public topics (tests). */
    public boolean awaitAssigned(Duration timeout) throws InterruptedException {
        return !config.ingest().enabled() || assigned.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void follow(Consumer<String, byte[]> consumer, ConsumerLoop<String, byte[]> control) {
        // start positions committed at assignment: a partition handed over (replica killed, Kafka restarted) before
        // its first batch resumes where it was, never at "latest" again (that skipped events: see ConsumerGroups)
        consumer.subscribe(config.ingest().topics(), ConsumerGroups.startListener(consumer, partitions -> assigned.countDown()));
        Backoff backoff = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(5));
        while (control.running()) {
            ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(500));
            if (records.isEmpty()) {
                continue;
            }
            try {
                process(records);
                consumer.commitAsync(offsets(records), (o, e) -> {
                    if (e != null) {
                        LOG.debugf("offset commit failed (%s); the batch may be read again", e.getMessage());
                    }
                });
                backoff.reset();
            } catch (WakeupException e) {
                throw e;
            } catch (RuntimeException e) {
                // PostgreSQL trouble: keep the consumer (and its partitions), read the same batch again later
                LOG.warnf("storing a batch of %d events failed (%s); reading it again in %d ms", records.count(),
                        e.getMessage(), backoff.next().toMillis());
                rewind(consumer, records);
                if (!backoff.pause()) {
                    return;
                }
            }
        }
    }

    private void process(ConsumerRecords<String, byte[]> records) {
        Map<String, List<CloudEvent>> byAccount = new LinkedHashMap<>();
        // CONSUMER spans of the records whose producer sent a trace context (none while tracing is off)
        Map<CloudEvent, Span> spans = new IdentityHashMap<>(0);
        for (ConsumerRecord<String, byte[]> r : records) {
            CloudEvent event;
            try {
                event = codec.decode(r.value());
            } catch (RuntimeException e) {
                skipped.increment();
                LOG.warnf("skipping undecodable record %s-%d@%d: %s", r.topic(), r.partition(), r.offset(), e.getMessage());
                continue;
            }
            if (event.subject() == null || event.subject().isBlank()) {
                skipped.increment();
                continue;
            }
            byAccount.computeIfAbsent(event.subject(), k -> new ArrayList<>()).add(event);
            Span span = traces.startConsumer(r.topic() + " consume", r.headers());
            if (span.getSpanContext().isValid()) {
                span.setAttribute("continuum.account", event.subject());
                spans.put(event, span);
            }
        }
        List<Uni<Void>> accounts = new ArrayList<>(byAccount.size());
        for (List<CloudEvent> events : byAccount.values()) {
            Uni<Void> chain = Uni.createFrom().voidItem();
            for (CloudEvent e : events) {
                chain = chain.chain(() -> {
                    long started = System.nanoTime();
                    Span consumed = spans.getOrDefault(e, Span.getInvalid());
                    return store.append(FrameTypes.fromEvent(e))
                        .invoke(stored -> stored.ifPresent(frame -> {
                            storeTime.record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
                            ingested.increment();
                            Span push = traces.startChild("frame push", consumed);
                            try (Scope scope = push.makeCurrent()) {
                                router.stored(frame); // to this replica's sockets, and the fan-out (carrying the trace)
                            } finally {
                                push.end();
                            }
                            if (e.time() != null) {
                                eventAge.record(java.time.Duration.between(e.time(), java.time.Instant.now()));
                            }
                        }))
                        .invoke(() -> consumed.end())
                        .onFailure().invoke(error -> Traces.fail(consumed, error))
                        .replaceWithVoid();
                });
            }
            accounts.add(chain);
        }
        if (!accounts.isEmpty()) {
            Uni.join().all(accounts).andFailFast().await().atMost(Duration.ofSeconds(30));
        }
    }

    private static Map<TopicPartition, OffsetAndMetadata> offsets(ConsumerRecords<String, byte[]> records) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new LinkedHashMap<>();
        for (TopicPartition tp : records.partitions()) {
            List<ConsumerRecord<String, byte[]>> list = records.records(tp);
            offsets.put(tp, new OffsetAndMetadata(list.get(list.size() - 1).offset() + 1));
        }
        return offsets;
    }

    private static void rewind(Consumer<String, byte[]> consumer, ConsumerRecords<String, byte[]> records) {
        for (TopicPartition tp : records.partitions()) {
            consumer.seek(tp, records.records(tp).get(0).offset());
        }
    }
}
