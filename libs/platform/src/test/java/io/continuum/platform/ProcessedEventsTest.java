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
import io.smallrye.mutiny.Uni;
import java.util.List;
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

    @Test
    void aBatchAppliesEachEventOnceInOneTransaction() {
        String account = "acct-" + UUID.randomUUID();
        CloudEvent a = event(account);
        CloudEvent b = event(account);
        OnVertx.await(() -> processed.processOnce("test-consumer", a, () -> counters.addInTransaction(account, 1)));

        // a was processed before; b twice in the same batch counts once
        List<Boolean> first = OnVertx.await(() -> processed.processEachOnce("test-consumer", List.of(a, b, b),
                e -> counters.addInTransaction(account, 10)));

        assertThat(first).containsExactly(false, true, false);
        assertThat(OnVertx.await(() -> counters.value(account))).isEqualTo(11L);

        // a failure in the batch leaves none of it marked: both are applied when the batch comes again
        CloudEvent c = event(account);
        CloudEvent d = event(account);
        OnVertx.await(() -> processed.processEachOnce("test-consumer", List.of(c, d), e -> e == d
                        ? Uni.createFrom().failure(new IllegalStateException("effect failed"))
                        : counters.addInTransaction(account, 100))
                .onFailure().recoverWithNull());
        List<Boolean> again = OnVertx.await(() -> processed.processEachOnce("test-consumer", List.of(c, d),
                e -> counters.addInTransaction(account, 100)));
        assertThat(again).containsExactly(true, true);
        assertThat(OnVertx.await(() -> counters.value(account))).isEqualTo(211L);
    }
}
