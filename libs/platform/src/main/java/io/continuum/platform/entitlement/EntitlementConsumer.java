package io.continuum.platform.entitlement;

import io.continuum.events.CloudEvent;
import io.continuum.events.EventCodec;
import io.continuum.events.EventContractViolation;
import io.continuum.events.EventTypes;
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
 * Reads every partition of {@code billing.events} from its beginning (or, with
 * {@code continuum.entitlements.start=end}, from where it ends at start-up) into {@link Entitlements}, when
 * {@code continuum.entitlements.enabled=true}. Like the revocation consumer there is no consumer group: each instance
 * needs the whole state, so partitions are assigned manually ({@link TopicFollower}) and nothing is committed; a
 * restarted instance reads the log again.
 *
 * <p>Limit: a fresh instance knows what the log still holds, i.e. the changes of the topic's retention (7 days
 * locally). An entitlement granted earlier and unchanged since is unknown to it; the fix is a compacted
 * {@code billing.entitlements} topic keyed by account + entitlement (see docs/billing.md, "Read model").
 */
@ApplicationScoped
public class EntitlementConsumer {

    private static final Logger LOG = Logger.getLogger(EntitlementConsumer.class);

    private final Entitlements entitlements;
    private final EntitlementsConfig config;
    private final KafkaClientSettings kafka;
    private final String applicationName;
    private final TopicFollower<byte[]> follower;
    private ConsumerLoop<String, byte[]> loop;

    public EntitlementConsumer(Entitlements entitlements, EntitlementsConfig config,
                               KafkaClientSettings kafka,
                               @ConfigProperty(name = "quarkus.application.name", defaultValue = "continuum") String applicationName,
                               Traces traces) {
        this.entitlements = entitlements;
        this.config = config;
        this.kafka = kafka;
        this.applicationName = applicationName;
        this.follower = new TopicFollower<>(config.topic(), config.pollTimeout(), config.partitionRefresh(),
                (consumer, added) -> {
                    if (config.start() == EntitlementsConfig.Start.END) {
                        consumer.seekToEnd(added);
                    } else {
                        consumer.seekToBeginning(added);
                    }
                }, this::apply, traces);
    }

    void start(@Observes StartupEvent ignored) {
        if (!config.enabled()) {
            return;
        }
        loop = ConsumerLoop.start("entitlement-consumer", () -> new KafkaConsumer<>(properties()), follower);
    }

    void stop(@Observes ShutdownEvent ignored) {
        if (loop != null) {
            loop.stop(Duration.ofSeconds(5));
        }
    }

    /** True once the log has been read up to where it ended at start-up (or when the read model is disabled). */
    public boolean ready() {
        return !config.enabled() || follower.caughtUp();
    }

    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return follower.awaitCaughtUp(timeout);
    }

    void apply(ConsumerRecord<String, byte[]> record) {
        try {
            CloudEvent event = EventCodec.shared().decode(record.value());
            Instant at = event.time() != null ? event.time() : Instant.ofEpochMilli(record.timestamp());
            event.dataAs(EventTypes.ENTITLEMENT_CHANGED).ifPresent(e -> entitlements.apply(event.subject(), e, at));
        } catch (EventContractViolation e) {
            LOG.warnf("skipping unreadable record %s-%d@%d: %s", record.topic(), record.partition(), record.offset(), e.getMessage());
        }
    }

    private Properties properties() {
        Properties p = kafka.applyTo(new Properties());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "entitlements-" + applicationName + "-" + UUID.randomUUID());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return p;
    }
}
