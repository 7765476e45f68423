package io.continuum.platform.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.junit.jupiter.api.Test;

/** The shared consumer thread: a failing body gets a fresh consumer, and stop() ends a blocked poll at once. */
class ConsumerLoopTest {

    private final List<MockConsumer<String, String>> made = new CopyOnWriteArrayList<>();

    private MockConsumer<String, String> newConsumer() {
        MockConsumer<String, String> consumer = new MockConsumer<>(OffsetResetStrategy.LATEST);
        made.add(consumer);
        return consumer;
    }

    @Test
    void aFailedConsumerIsReplacedAndTheBodyRunsAgain() {
        AtomicInteger runs = new AtomicInteger();
        ConsumerLoop<String, String> loop = ConsumerLoop.start("test-loop", this::newConsumer, (consumer, control) -> {
            if (runs.incrementAndGet() == 1) {
                throw new IllegalStateException("broker gone");
            }
            while (control.running()) {
                consumer.poll(Duration.ofMillis(50));
            }
        });
        try {
            await().atMost(Duration.ofSeconds(5)).until(() -> runs.get() == 2);
            assertThat(made).hasSize(2);
            assertThat(made.get(0).closed()).as("the failed consumer is closed").isTrue();
        } finally {
            loop.stop(Duration.ofSeconds(5));
        }
        assertThat(made.get(1).closed()).isTrue();
        assertThat(loop.running()).isFalse();
    }

    @Test
    void stopWakesAPollingBodyAndDoesNotReconnect() {
        AtomicInteger runs = new AtomicInteger();
        ConsumerLoop<String, String> loop = ConsumerLoop.start("test-loop", this::newConsumer, (consumer, control) -> {
            runs.incrementAndGet();
            while (true) { // ignores running(): only wakeup() can end it
                consumer.poll(Duration.ofSeconds(30));
            }
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> runs.get() == 1);

        long start = System.nanoTime();
        loop.stop(Duration.ofSeconds(5));

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        assertThat(runs.get()).isEqualTo(1);
        assertThat(made).hasSize(1);
        assertThat(made.get(0).closed()).isTrue();
    }
}
