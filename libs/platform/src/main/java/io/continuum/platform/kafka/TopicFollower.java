package io.continuum.platform.kafka;

import io.continuum.platform.tracing.Traces;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * A {@link ConsumerLoop} body that reads <em>every</em> partition of one topic in every instance (no consumer group,
 * manual assignment, nothing committed), for read models each replica keeps in memory: it positions new partitions
 * with {@code start} (e.g. {@code seekToBeginning}), picks up partitions added later, and counts down
 * {@link #awaitCaughtUp} once it has read up to the end offsets it saw on its first assignment.
 */
public final class TopicFollower<V> implements ConsumerLoop.Body<String, V> {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(TopicFollower.class);

    private final String topic;
    private final Duration pollTimeout;
    private final Duration partitionRefresh;
    private final BiConsumer<Consumer<String, V>, List<TopicPartition>> start;
    private final java.util.function.Consumer<ConsumerRecord<String, V>> handler;
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private final Traces traces;

    public TopicFollower(String topic, Duration pollTimeout, Duration partitionRefresh,
                         BiConsumer<Consumer<String, V>, List<TopicPartition>> start,
                         java.util.function.Consumer<ConsumerRecord<String, V>> handler) {
        this(topic, pollTimeout, partitionRefresh, start, handler, null);
    }

    /**
     * With {@code traces}, each record is handled inside a CONSUMER span continuing its producer's trace (the record's
     * {@code traceparent} header) and with the account (record key) in the log context.
     */
    public TopicFollower(String topic, Duration pollTimeout, Duration partitionRefresh,
                         BiConsumer<Consumer<String, V>, List<TopicPartition>> start,
                         java.util.function.Consumer<ConsumerRecord<String, V>> handler, Traces traces) {
        this.traces = traces;
        this.topic = topic;
        this.pollTimeout = pollTimeout;
        this.partitionRefresh = partitionRefresh;
        this.start = start;
        this.handler = handler;
    }

    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public boolean caughtUp() {
        return caughtUp.getCount() == 0;
    }

    @Override
    public void run(Consumer<String, V> kafka, ConsumerLoop<String, V> control) {
        Set<TopicPartition> assigned = new HashSet<>();
        long nextRefresh = 0;
        Map<TopicPartition, Long> targets = null;
        while (control.running()) {
            long now = System.currentTimeMillis();
            if (now >= nextRefresh) {
                List<PartitionInfo> infos = kafka.partitionsFor(topic, Duration.ofSeconds(10));
                List<TopicPartition> partitions = infos == null ? List.of()
                        : infos.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
                if (partitions.isEmpty()) {
                    if (!Backoff.pause(pollTimeout)) {
                        return;
                    }
                    continue;
                }
                List<TopicPartition> added = partitions.stream().filter(p -> !assigned.contains(p)).toList();
                if (!added.isEmpty()) {
                    assigned.addAll(added);
                    kafka.assign(new ArrayList<>(assigned));
                    start.accept(kafka, added);
                    if (targets == null) {
                        targets = new HashMap<>(kafka.endOffsets(added));
                    }
                }
                nextRefresh = now + partitionRefresh.toMillis();
            }
            for (ConsumerRecord<String, V> record : kafka.poll(pollTimeout)) {
                if (traces == null) {
                    handler.accept(record);
                } else {
                    traces.consume(record, () -> handler.accept(record));
                }
            }
            if (targets != null && caughtUp.getCount() > 0
                    && targets.entrySet().stream().allMatch(e -> kafka.position(e.getKey()) >= e.getValue())) {
                caughtUp.countDown();
                LOG.infof("caught up on %s (%d partitions read back)", topic, targets.size());
            }
        }
    }
}
