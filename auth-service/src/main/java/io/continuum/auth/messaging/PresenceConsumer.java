package io.continuum.auth.messaging;

import io.continuum.auth.config.AuthConfig;
import io.continuum.events.CloudEvent;
import io.continuum.events.EventCodec;
import io.continuum.events.EventContractViolation;
import io.continuum.events.EventTypes;
import io.continuum.events.Topics;
import io.continuum.events.notification.PresenceChanged;
import io.continuum.platform.kafka.ConsumerGroups;
import io.continuum.platform.kafka.ConsumerLoop;
import io.continuum.platform.kafka.KafkaClientSettings;
import io.continuum.platform.tracing.Traces;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * Shows presence in the device list: reads {@code continuum.presence.changed.v1} from {@code notification.events}
 * (one consumer group for all auth-service replicas) and stores {@code online} on the device. The update only
 * applies a report newer than the stored one, so redeliveries and reordering are harmless (no inbox table needed);
 * offsets are committed after the update.
 */
@ApplicationScoped
public class PresenceConsumer {

    private static final Logger LOG = Logger.getLogger(PresenceConsumer.class);
    private static final String UPDATE = "update device set online = $1, presence_at = $2,"
            + " last_seen_at = greatest(last_seen_at, $2)"
            + " where account_id = $3 and device_id = $4 and revoked_at is null"
            + " and (presence_at is null or presence_at <= $2)";

    private final Pool pool;
    private final KafkaClientSettings kafka;
    private final String groupId;
    private final boolean enabled;
    private ConsumerLoop<String, byte[]> loop;

    private final Traces traces;

    public PresenceConsumer(Pool pool, AuthConfig config,
            KafkaClientSettings kafka, Traces traces) {
        this.traces = traces;
        this.pool = pool;
        this.kafka = kafka;
        this.groupId = config.presence().group();
        this.enabled = config.presence().enabled();
    }

    void start(@Observes StartupEvent ignored) {
        if (!enabled) {
            return;
        }
        loop = ConsumerLoop.start("presence-consumer", () -> new KafkaConsumer<>(properties()), (kafka, control) -> {
            kafka.subscribe(List.of(Topics.NOTIFICATION_EVENTS), ConsumerGroups.startListener(kafka, partitions -> { }));
            while (control.running()) {
                for (ConsumerRecord<String, byte[]> r : kafka.poll(Duration.ofMillis(500))) {
                    traces.consume(r, () -> apply(r)); // continues the presence publisher's trace
                }
                kafka.commitSync();
            }
        });
    }

    void stop(@Observes ShutdownEvent ignored) {
        if (loop != null) {
            loop.stop(Duration.ofSeconds(5));
        }
    }

    private void apply(ConsumerRecord<String, byte[]> record) {
        try {
            CloudEvent event = EventCodec.shared().decode(record.value());
            event.dataAs(EventTypes.PRESENCE_CHANGED).ifPresent(p -> store(event.subject(), p));
        } catch (EventContractViolation e) {
            LOG.debugf("skipping unreadable record at %s-%d@%d", record.topic(), record.partition(), record.offset());
        }
    }

    private void store(String accountId, PresenceChanged p) {
        if (p.deviceId() == null || p.at() == null) {
            return;
        }
        pool.preparedQuery(UPDATE)
                .execute(Tuple.of(p.online(), OffsetDateTime.ofInstant(p.at(), ZoneOffset.UTC), accountId, p.deviceId()))
                .await().atMost(Duration.ofSeconds(10));
    }

    private Properties properties() {
        Properties p = ConsumerGroups.applyTo(kafka.applyTo(new Properties()));
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return p;
    }
}
