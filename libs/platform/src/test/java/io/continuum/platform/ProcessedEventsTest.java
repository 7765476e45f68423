package io.continuum.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.continuum.events.CloudEvent;
import io.continuum.events.EventTypes;
import io.continuum.platform.inbox.ProcessedEvents;
import io.continuum.testing.PrivateKafkaResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(PrivateKafkaResource.class)
class ProcessedEventsTest {

    @Inject
    ProcessedEvents processed;

    @Inject
    TestCounters counters;

    private CloudEvent event(String account) {
        return CloudEvent.of(EventTypes.STATE_CHANGED, "/test", account, "d1", 1L,
                TestEvents.stateChanged("k", "op-1", 1));
    }

    @Test
    void sameEventTwiceIsAppliedOnce() {
        String account = "acct-" + UUID.randomUUID();
        CloudEvent event = event(account);

        boolean first = OnVertx.await(() -> processed.processOnce("test-consumer", event, () -> counters.addInTransaction(account, 10)));
        boolean second = OnVertx.await(() -> processed.processOnce("test-consumer", event, () -> counters.addInTransaction(account, 10)));

        assertThat(first).isTrue();
        assertThat(second).isFalse();
        assertThat(OnVertx.await(() -> counters.value(account))).isEqualTo(10L);
    }

    @Test
    void anotherConsumerAppliesItToo() {
        String account = "acct-" + UUID.randomUUID();
        CloudEvent event = event(account);
        OnVertx.await(() -> processed.processOnce("consumer-a", event, () -> counters.addInTransaction(account, 1)));
        OnVertx.await(() -> processed.processOnce("consumer-b", event, () -> counters.addInTransaction(account, 1)));
        assertThat(OnVertx.await(() -> counters.value(account))).isEqualTo(2L);
    }

    @Test
    void failedEffectDoesNotMarkTheEvent() {
        String account = "acct-" + UUID.randomUUID();
        CloudEvent event = event(account);
        OnVertx.await(() -> processed.processOnce("test-consumer", event, () -> counters.addInTransaction(account, 1)
                        .invoke(v -> {
                            throw new IllegalStateException("effect failed");
                        }))
                .onFailure().recoverWithNull());

        boolean retried = OnVertx.await(() -> processed.processOnce("test-consumer", event, () -> counters.addInTransaction(account, 1)));

        assertThat(retried).isTrue();
        assertThat(OnVertx.await(() -> counters.value(account))).isEqualTo(1L);
    }
}
