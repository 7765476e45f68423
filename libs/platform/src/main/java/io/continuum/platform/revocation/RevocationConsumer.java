package io.continuum.platform.revocation;

import io.continuum.events.CloudEvent;
import io.continuum.events.EventCodec;
import io.continuum.events.EventContractViolation;
import io.continuum.events.EventTypes;
import io.continuum.platform.devices.RegisteredDevices;
import io.continuum.platform.kafka.ConsumerLoop;
import io.continuum.platform.kafka.KafkaClientSettings;
import io.continuum.platform.kafka.TopicFollower;
import io.continuum.platform.tracing.Traces;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Reads every partition of {@code auth.events} into the two local read models every service keeps:
 * {@link RevokedSessions} (refused sessions) and {@link RegisteredDevices} (which device each session is bound to).
 *
 * <p>Every instance must see every event, so there is no consumer group: partitions are assigned manually and
 * nothing is committed. On start (and for a partition added later) the consumer reads the topic from its beginning
 * ({@code auth.events} keeps its records: see deploy/kafka/topics.yaml), so a fresh replica knows every registered
 * device and every revocation Keycloak has not confirmed yet ({@link #awaitCaughtUp} tells when that read-back is
 * done). It then follows the log; the broker answers a poll as soon as a record arrives, so an event reaches this
 * instance within milliseconds of the outbox relay publishing it.
 *
 * <p>A plain {@link KafkaConsumer} on its own thread ({@link TopicFollower}): no group coordination, no rebalances, nothing shared with the
 * service's own messaging. While Kafka is down {@link ConsumerLoop} reconnects with a backoff; the revocations it already knows stay.
 */
@ApplicationScoped
public class RevocationConsumer {

    private static final Logger LOG = Logger.getLogger(RevocationConsumer.class);

    private final RevokedSessions sessions;
    private final RegisteredDevices devices;
    private final RevocationConfig config;
    private final KafkaClientSettings kafka;
    private final String applicationName;
    /** Every partition, read from its beginning (the topic keeps its records); each record in a CONSUMER span. */
    private final TopicFollower<byte[]> follower;

    private ConsumerLoop<String, byte[]> loop;

    public RevocationConsumer(
            RevokedSessions sessions,
            RegisteredDevices devices,
            RevocationConfig config,
            KafkaClientSettings kafka,
            @ConfigProperty(name = "quarkus.application.name", defaultValue = "continuum") String applicationName,
            Traces traces) {
        this.follower = new TopicFollower<>(config.topic(), config.pollTimeout(), config.partitionRefresh(),
                (consumer, added) -> consumer.seekToBeginning(added), this::apply, traces);
        this.sessions = sessions;
        this.devices = devices;
        this.config = config;
        this.kafka = kafka;
        this.applicationName = applicationName;
    }

    void start(@Observes StartupEvent ignored) {
        if (!config.enabled()) {
            LOG.info("revocation consumer disabled (continuum.revocation.enabled=false)");
            return;
        }
        loop = ConsumerLoop.start("revocation-consumer", () -> new KafkaConsumer<>(properties()), follower);
    }

    void stop(@Observes ShutdownEvent ignored) {
        if (loop != null) {
            loop.stop(Duration.ofSeconds(5));
        }
    }

    /** Waits until the first read-back of the topic is done (for tests and start-up probes). */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return follower.awaitCaughtUp(timeout);
    }

    /** Applies one {@code auth.events} record; records of other types, or malformed ones, are skipped. */
    void apply(ConsumerRecord<String, byte[]> record) {
        CloudEvent event;
        try {
            event = EventCodec.shared().decode(record.value());
        } catch (EventContractViolation e) {
            LOG.warnf("skipping malformed record %s-%d@%d: %s", record.topic(), record.partition(), record.offset(), e.getMessage());
            return;
        }
        Instant at = event.time() != null ? event.time() : Instant.ofEpochMilli(record.timestamp());
        try {
            apply(event, at);
        } catch (EventContractViolation e) {
            LOG.warnf("skipping unreadable event %s (%s): %s", event.id(), event.type(), e.getMessage());
        }
    }

    void apply(CloudEvent event, Instant at) {
        String account = event.subject();
        event.dataAs(EventTypes.DEVICE_REVOKED).ifPresent(d ->
                sessions.revoke(account, d.sessionIds(), "device-revoked:" + d.reason(), at));
        event.dataAs(EventTypes.SIGNED_OUT_EVERYWHERE).ifPresent(d ->
                sessions.revoke(account, d.sessionIds(), "signed-out-everywhere", at));
        event.dataAs(EventTypes.SESSION_ENDED).ifPresent(d ->
                sessions.revoke(account, List.of(d.sessionId()), "session-ended:" + d.reason(), at));
        event.dataAs(EventTypes.REVOCATION_CONFIRMED).ifPresent(d -> sessions.confirm(account, d.sessionIds(), at));
        devices.apply(event);
    }

    private Properties properties() {
        Properties p = kafka.applyTo(new Properties());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "revocation-" + applicationName + "-" + UUID.randomUUID());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return p;
    }
}
