package io.continuum.notification.support;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.continuum.events.CloudEvent;
import io.continuum.events.EventCodec;
import io.continuum.events.EventData;
import io.continuum.events.EventType;
import io.continuum.events.EventTypes;
import io.continuum.events.state.PlaybackPositionChanged;
import io.continuum.events.state.PlaybackState;
import io.continuum.events.state.StateChanged;
import io.continuum.testing.LocalStack;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/** Publishes real CloudEvents to the real topics, as the other services do. */
public final class Events implements AutoCloseable {

    private final KafkaProducer<String, String> producer;

    public Events() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.KAFKA_BOOTSTRAP);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    public <T extends EventData> CloudEvent publish(EventType<T> type, String account, String device, Long revision, T data) {
        CloudEvent e = CloudEvent.of(type, "/test", account, device, revision, data);
        send(type.topic(), e);
        return e;
    }

    /** As a relay with tracing on publishes it: the W3C trace context in the record header {@code traceparent}. */
    public void sendTraced(String topic, CloudEvent e, String traceparent) {
        ProducerRecord<String, String> record = new ProducerRecord<>(topic, e.key(), EventCodec.shared().encodeToString(e));
        record.headers().add("traceparent", traceparent.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        try {
            producer.send(record).get();
        } catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
    }

    public void send(String topic, CloudEvent e) {
        try {
            producer.send(new ProducerRecord<>(topic, e.key(), EventCodec.shared().encodeToString(e))).get();
        } catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** A generic state change (kind {@code profile}: ordered delivery). */
    public CloudEvent stateChanged(String account, String device, long revision, String value) {
        return publish(EventTypes.STATE_CHANGED, account, device, revision,
                new StateChanged("profile", "op-" + UUID.randomUUID(), "displayName", JsonNodeFactory.instance.textNode(value)));
    }

    public CloudEvent position(String account, String device, long revision, long positionMs) {
        return publish(EventTypes.PLAYBACK_POSITION_CHANGED, account, device, revision,
                new PlaybackPositionChanged("movie-1", positionMs, 5_400_000, PlaybackState.PLAYING, "op-" + UUID.randomUUID()));
    }

    @Override
    public void close() {
        producer.close();
    }
}
