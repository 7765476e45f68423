package io.continuum.testing;

import io.continuum.events.CloudEvent;
import io.continuum.events.EventCodec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads CloudEvents from a real Kafka topic for assertions. Starts at the end of the topic when created, so a
 * test sees only what happened after it opened the reader.
 */
public final class EventReader implements AutoCloseable {

    private final KafkaConsumer<String, String> consumer;
    private final EventCodec codec = EventCodec.shared();

    public EventReader(String bootstrapServers, String topic) {
        this(bootstrapServers, topic, false);
    }

    /** A reader that sees the whole retained topic, not only what comes after it opened. */
    public static EventReader fromBeginning(String bootstrapServers, String topic) {
        return new EventReader(bootstrapServers, topic, true);
    }

    private EventReader(String bootstrapServers, String topic, boolean fromBeginning) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "test-reader-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
        consumer.subscribe(List.of(topic));
        // Join the group and fix the start position now, before the test produces anything.
        Instant deadline = Instant.now().plusSeconds(30);
        while (consumer.assignment().isEmpty() && Instant.now().isBefore(deadline)) {
            consumer.poll(Duration.ofMillis(100));
        }
        if (consumer.assignment().isEmpty()) {
            throw new IllegalStateException("no partitions assigned for " + topic + " on " + bootstrapServers);
        }
        if (fromBeginning) {
            consumer.seekToBeginning(consumer.assignment());
        } else {
            consumer.seekToEnd(consumer.assignment());
        }
        consumer.assignment().forEach(consumer::position);
    }

    public EventReader(String topic) {
        this(LocalStack.KAFKA_BOOTSTRAP, topic);
    }

    /** Polls until {@code count} matching events arrived (in arrival order) or the timeout passes. */
    public List<Received> await(Predicate<CloudEvent> filter, int count, Duration timeout) {
        return awaitUntil(filter, read -> read.size() >= count, Duration.ZERO, timeout);
    }

    /**
     * Every record matching {@code filter} until {@code enough} holds for what was read, then for {@code settle} more (so
     * a late extra event, or a late duplicate, is seen too); at most {@code timeout} in all. Use it instead of
     * {@link #await} with a record count when the relay may resend a batch (an outbox row published but not deleted
     * before a crash is sent again, same event id): those copies count as records and would end a counted read
     * before every distinct event was read.
     */
    public List<Received> awaitUntil(Predicate<CloudEvent> filter, Predicate<List<Received>> enough, Duration settle,
            Duration timeout) {
        List<Received> received = new ArrayList<>();
        Instant deadline = Instant.now().plus(timeout);
        Instant settledAt = null;
        while (Instant.now().isBefore(settledAt != null ? settledAt : deadline)) {
            if (settledAt == null && enough.test(received)) { // checked before polling: a count of 0 polls nothing
                settledAt = Instant.now().plus(settle);
                if (settledAt.isAfter(deadline)) {
                    settledAt = deadline;
                }
                if (!Instant.now().isBefore(settledAt)) {
                    break;
                }
            }
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                CloudEvent e = codec.decode(r.value().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                if (filter.test(e)) {
                    received.add(new Received(r.key(), r.partition(), r.offset(), e));
                }
            }
        }
        return received;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(2));
    }

    public record Received(String key, int partition, long offset, CloudEvent event) {}
}
