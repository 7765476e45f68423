package io.continuum.platform.kafka;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * What every consumer-group member of Continuum needs so that a partition changing hands loses nothing and waits
 * little.
 *
 * <p><b>Start positions are committed at assignment.</b> A group that starts at {@code latest} (what is published from
 * now on, not the whole retained topic) has no committed offset for a partition until it has consumed from it. When
 * the member holding such a partition dies or leaves before that first commit, the next owner resets to
 * {@code latest} again and silently skips everything published in between: a notification-service replica killed
 * just before Kafka restarted lost the state events its partitions received meanwhile, and devices never converged.
 * {@link #startListener} resolves the position of each newly assigned partition at once and commits it, so every
 * partition has a committed offset from its first assignment on and a hand-over resumes where the last owner was.
 *
 * <p><b>A dead member is noticed in seconds.</b> The client's default session timeout (45 s) leaves a killed replica's
 * partitions unread for 45 s; {@link #applyTo} lowers it to {@value #SESSION_TIMEOUT_MS} ms (heartbeat every
 * {@value #HEARTBEAT_MS} ms; the broker's minimum is 6 s).
 */
public final class ConsumerGroups {

    private static final Logger LOG = Logger.getLogger(ConsumerGroups.class);
    public static final int SESSION_TIMEOUT_MS = 10_000;
    public static final int HEARTBEAT_MS = 3_000;

    private ConsumerGroups() {
    }

    /** The group liveness settings above, added to a consumer's properties. */
    public static Properties applyTo(Properties p) {
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, SESSION_TIMEOUT_MS);
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, HEARTBEAT_MS);
        return p;
    }

    /** The broker's smallest session timeout ({@code group.min.session.timeout.ms}, 6 s by default). */
    public static final int MIN_SESSION_TIMEOUT_MS = 6_000;
    public static final int MIN_HEARTBEAT_MS = 2_000;

    /**
     * Like {@link #applyTo}, with the broker's smallest session timeout ({@value #MIN_SESSION_TIMEOUT_MS} ms, a heartbeat
     * every {@value #MIN_HEARTBEAT_MS} ms): for a group whose partitions must change hands as early as the broker allows
     * when a member dies (notification-service's ingest: frames published meanwhile wait for the new owner). A member
     * whose heartbeat thread stalls for 6 s (a long GC pause) is taken for dead and its partitions move.
     */
    public static Properties applyFastHandOver(Properties p) {
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, MIN_SESSION_TIMEOUT_MS);
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, MIN_HEARTBEAT_MS);
        return p;
    }

    /**
     * The rebalance listener for {@code consumer.subscribe(topics, listener)}: commits the start position of every
     * newly assigned partition, then calls {@code assigned} (readiness latches and the like; may be a no-op).
     * Offsets of consumed records are still committed by the caller, as before.
     */
    public static ConsumerRebalanceListener startListener(Consumer<?, ?> consumer,
            java.util.function.Consumer<Collection<TopicPartition>> assigned) {
        return new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                // offsets of what was processed are the caller's to commit; nothing to add here
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                if (partitions.isEmpty()) {
                    return;
                }
                Map<TopicPartition, OffsetAndMetadata> start = new LinkedHashMap<>();
                for (TopicPartition tp : partitions) {
                    start.put(tp, new OffsetAndMetadata(consumer.position(tp))); // committed, or reset to latest now
                }
                try {
                    consumer.commitSync(start);
                } catch (RuntimeException e) {
                    // the positions hold for this member; only a hand-over before its first commit could skip records
                    LOG.warnf("committing the start positions of %d partitions failed (%s)", partitions.size(), e.toString());
                }
                assigned.accept(partitions);
            }
        };
    }
}
