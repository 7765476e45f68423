package io.continuum.platform.outbox;

import io.continuum.platform.tracing.Traces;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.api.trace.Span;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.StringSerializer;
import io.continuum.platform.kafka.KafkaClientSettings;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The relay's Kafka producer: idempotent, {@code acks=all}, one request in flight per connection so a failed
 * batch can never be overtaken by a later one of the same partition. After any failure the producer is closed
 * at once (aborting whatever it still holds) and a fresh one is made for the retry.
 */
@ApplicationScoped
public class OutboxPublisher {

    /**
     * A record as stored in the outbox: value is the CloudEvent in JSON structured mode; traceparent is the writing
     * request's trace context, or {@code null}.
     */
    public record Message(String topic, String key, String value, String traceparent) {
        public Message(String topic, String key, String value) {
            this(topic, key, value, null);
        }
    }

    private static final RecordHeader CONTENT_TYPE =
            new RecordHeader("content-type", "application/cloudevents+json; charset=UTF-8".getBytes(StandardCharsets.UTF_8));

    private final KafkaClientSettings kafka;
    private final Traces traces;
    private final Timer latency;
    private KafkaProducer<String, String> producer;

    public OutboxPublisher(KafkaClientSettings kafka, Traces traces, MeterRegistry registry) {
        this.kafka = kafka;
        this.traces = traces;
        this.latency = Timer.builder("continuum.outbox.publish.latency")
                .description("One relay batch: first send to the last Kafka acknowledgement (acks=all)")
                .publishPercentiles(0.5, 0.99)
                .register(registry);
    }

    /** How long publishAll waits for every acknowledgement of a batch before it gives up and resets the producer. */
    static final Duration ACK_TIMEOUT = Duration.ofSeconds(6);

    /**
     * Sends every message in order and waits for all acknowledgements; throws on the first failure. A message with a
     * trace context gets a PRODUCER span ({@code <topic> publish}, from send to acknowledgement) whose context travels
     * in the record's {@code traceparent} header.
     */
    public synchronized void publishAll(List<Message> messages) {
        KafkaProducer<String, String> p = producer();
        List<Future<RecordMetadata>> acks = new ArrayList<>(messages.size());
        List<Span> spans = new ArrayList<>(0);
        long started = System.nanoTime();
        try {
            for (Message m : messages) {
                ProducerRecord<String, String> record = new ProducerRecord<>(m.topic(), m.key(), m.value());
                record.headers().add(CONTENT_TYPE);
                if (m.traceparent() != null) {
                    Span span = traces.startProducer(m.topic() + " publish", m.traceparent());
                    span.setAttribute("messaging.system", "kafka");
                    span.setAttribute("messaging.destination.name", m.topic());
                    Traces.inject(record.headers(), span);
                    spans.add(span);
                }
                acks.add(p.send(record));
            }
            long deadline = started + ACK_TIMEOUT.toNanos();
            for (Future<RecordMetadata> ack : acks) {
                ack.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
            latency.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            spans.forEach(Span::end);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            reset();
            spans.forEach(s -> Traces.fail(s, e));
            throw new IllegalStateException("interrupted while publishing", e);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            reset();
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            spans.forEach(s -> Traces.fail(s, cause));
            throw new IllegalStateException("Kafka did not acknowledge the batch", cause);
        }
    }

    public synchronized void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(2));
            producer = null;
        }
    }

    private void reset() {
        if (producer != null) {
            producer.close(Duration.ZERO);
            producer = null;
        }
    }

    private KafkaProducer<String, String> producer() {
        if (producer == null) {
            Properties props = kafka.applyTo(new Properties());
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
            props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
            // Fail fast while the broker is down; the relay owns the retry loop and its backoff.
            props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 3_000);
            props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000);
            // Never expire a batch inside the producer: when a batch of a partition expired, the producer went on
            // with the next one, so Kafka got rows 7..30 of an account before 1..6 (OutboxRelayTest saw it after a
            // broker restart). publishAll bounds the wait itself (ACK_TIMEOUT) and then closes the producer at once,
            // which sends nothing more: what reached Kafka is a prefix of the batch in order, and the retry repeats it.
            props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.MAX_VALUE);
            props.put(ProducerConfig.CLIENT_ID_CONFIG, "continuum-outbox-relay");
            producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
        }
        return producer;
    }
}
