package io.continuum.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.continuum.events.CloudEvent;
import io.continuum.events.Topics;
import io.continuum.testing.EventReader;
import io.continuum.testing.PrivateKafkaResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The outbox against real PostgreSQL and a real (private, stoppable) Kafka broker. */
@QuarkusTest
@QuarkusTestResource(PrivateKafkaResource.class)
class OutboxRelayTest {

    @Inject
    TestCounters counters;

    @Test
    void publishesEveryCommittedChangeInOrderPerAccount() {
        List<String> accounts = IntStream.range(0, 5).mapToObj(i -> "acct-" + UUID.randomUUID()).toList();
        try (EventReader reader = new EventReader(PrivateKafkaResource.broker().bootstrapServers(), Topics.STATE_EVENTS)) {
            // 5 accounts written concurrently, 20 changes each
            List<CompletableFuture<?>> writers = new ArrayList<>();
            for (String account : accounts) {
                writers.add(CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < 20; i++) {
                        OnVertx.await(() -> counters.add(account, 1, false));
                    }
                }));
            }
            writers.forEach(CompletableFuture::join);

            List<EventReader.Received> received = reader.await(e -> accounts.contains(e.subject()), 100, Duration.ofSeconds(30));

            assertThat(received).hasSize(100);
            Map<String, List<Long>> revisionsPerAccount = revisionsPerAccount(received);
            for (String account : accounts) {
                assertThat(revisionsPerAccount.get(account)).containsExactlyElementsOf(
                        IntStream.rangeClosed(1, 20).mapToObj(Long::valueOf).toList());
            }
            assertThat(received).allSatisfy(r -> assertThat(r.key()).isEqualTo(r.event().subject()));
        }
    }

    @Test
    void rolledBackChangeLeavesNoEvent() {
        String account = "acct-" + UUID.randomUUID();
        try (EventReader reader = new EventReader(PrivateKafkaResource.broker().bootstrapServers(), Topics.STATE_EVENTS)) {
            OnVertx.await(() -> counters.add(account, 5, true).onFailure().recoverWithNull());
            OnVertx.await(() -> counters.add(account, 7, false));

            List<EventReader.Received> received = reader.await(e -> e.subject().equals(account), 2, Duration.ofSeconds(5));

            assertThat(received).extracting(r -> r.event().revision()).containsExactly(7L);
            assertThat(OnVertx.await(() -> counters.value(account))).isEqualTo(7L);
        }
    }

    @Test
    void brokerDownWhileWritingLosesNothingAndKeepsOrder() {
        List<String> accounts = IntStream.range(0, 3).mapToObj(i -> "acct-" + UUID.randomUUID()).toList();
        var broker = PrivateKafkaResource.broker();
        broker.stop();
        try {
            // writes go on while Kafka is down: they are durable in PostgreSQL and wait in the outbox
            for (int i = 0; i < 30; i++) {
                for (String account : accounts) {
                    OnVertx.await(() -> counters.add(account, 1, false));
                }
            }
            assertThat(OnVertx.await(() -> counters.pendingOutboxRows())).isGreaterThanOrEqualTo(90L);
        } finally {
            broker.start();
        }
        {
            List<EventReader.Received> received = readAllFromBeginning(broker.bootstrapServers(), accounts, 90);
            for (String account : accounts) {
                // at-least-once: a retried batch may repeat; de-duplicated by event id it is exactly 1..30 in order
                assertThat(dedupe(received, account)).containsExactlyElementsOf(
                        IntStream.rangeClosed(1, 30).mapToObj(Long::valueOf).toList());
            }
        }
    }

    private static List<EventReader.Received> readAllFromBeginning(String bootstrap, List<String> accounts, int count) {
        try (var reader = EventReader.fromBeginning(bootstrap, Topics.STATE_EVENTS)) {
            return reader.await(e -> accounts.contains(e.subject()), count, Duration.ofSeconds(60));
        }
    }

    private static List<Long> dedupe(List<EventReader.Received> received, String account) {
        Map<String, Long> byId = new LinkedHashMap<>();
        received.stream().map(EventReader.Received::event).filter(e -> e.subject().equals(account))
                .forEach(e -> byId.putIfAbsent(e.id(), e.revision()));
        return new ArrayList<>(byId.values());
    }

    private static Map<String, List<Long>> revisionsPerAccount(List<EventReader.Received> received) {
        Map<String, List<Long>> map = new LinkedHashMap<>();
        for (EventReader.Received r : received) {
            CloudEvent e = r.event();
            map.computeIfAbsent(e.subject(), k -> new ArrayList<>()).add(e.revision());
        }
        return map;
    }
}
