package io.continuum.platform.kafka;

import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.time.Duration;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

/**
 * A plain {@link KafkaConsumer} on its own daemon thread, for the consumers that need what a messaging channel does
 * not give (manual assignment of every partition, read-back by timestamp, batch-wise commits). It owns the parts
 * every such consumer needs alike: the thread, a fresh consumer after any failure (with exponential backoff while
 * Kafka is down), a prompt stop ({@code wakeup()}, join), and the Kafka client's meters (consumer lag per partition:
 * {@code kafka_consumer_fetch_manager_records_lag}, see docs/operations.md). The body polls while {@link #running()} and returns or
 * throws when it is done.
 */
public final class ConsumerLoop<K, V> {

    private static final Logger LOG = Logger.getLogger(ConsumerLoop.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(3);

    /** What the loop does with one consumer; called again with a new consumer after it failed. */
    @FunctionalInterface
    public interface Body<K, V> {
        void run(Consumer<K, V> consumer, ConsumerLoop<K, V> loop);
    }

    private final String name;
    private final Supplier<? extends Consumer<K, V>> consumers;
    private final Body<K, V> body;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Consumer<K, V> current;

    private ConsumerLoop(String name, Supplier<? extends Consumer<K, V>> consumers, Body<K, V> body) {
        this.name = name;
        this.consumers = consumers;
        this.body = body;
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
    }

    /** Starts the thread; {@code consumers} makes a new consumer for each (re)connection. */
    public static <K, V> ConsumerLoop<K, V> start(String name, Supplier<? extends Consumer<K, V>> consumers, Body<K, V> body) {
        ConsumerLoop<K, V> loop = new ConsumerLoop<>(name, consumers, body);
        loop.thread.start();
        return loop;
    }

    public boolean running() {
        return running;
    }

    /** Stops polling (wakes a blocked poll) and waits for the thread to close its consumer. */
    public void stop(Duration timeout) {
        running = false;
        Consumer<K, V> consumer = current;
        if (consumer != null) {
            consumer.wakeup();
        }
        try {
            thread.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        Backoff backoff = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(5));
        while (running) {
            Consumer<K, V> consumer = null;
            KafkaClientMetrics metrics = null;
            try {
                consumer = consumers.get();
                current = consumer;
                // the client's own meters (records-lag per partition, fetch rates) for as long as this consumer lives
                metrics = new KafkaClientMetrics(consumer);
                metrics.bindTo(Metrics.globalRegistry);
                if (running) {
                    body.run(consumer, this);
                }
                backoff.reset();
            } catch (WakeupException e) {
                // stop() woke a blocked call
            } catch (RuntimeException e) {
                if (running) {
                    LOG.warnf("%s failed (%s); reconnecting in %d ms", name, e.toString(), backoff.next().toMillis());
                    if (!backoff.pause()) {
                        running = false;
                    }
                }
            } finally {
                current = null;
                if (metrics != null) {
                    metrics.close();
                }
                if (consumer != null) {
                    closeQuietly(consumer);
                }
            }
        }
    }

    private void closeQuietly(Consumer<K, V> consumer) {
        try {
            consumer.close(CLOSE_TIMEOUT);
        } catch (RuntimeException e) {
            LOG.debugf("%s: closing the consumer: %s", name, e.getMessage());
        }
    }
}
