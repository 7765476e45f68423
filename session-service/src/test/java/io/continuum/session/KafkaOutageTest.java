package io.continuum.session;

import static io.continuum.session.Ops.grant;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.continuum.events.CloudEvent;
import io.continuum.events.Topics;
import io.continuum.testing.EventReader;
import io.continuum.testing.KafkaBroker;
import io.continuum.testing.PrivateKafkaResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** Kafka stopped while devices write: the writes succeed, and the events arrive, in order, once it is back. */
@QuarkusTest
@QuarkusTestResource(value = PrivateKafkaResource.class, restrictToAnnotatedClass = true)
class KafkaOutageTest {

    @Test
    void writesSucceedWhileKafkaIsDownAndTheirEventsArriveAfterItReturns() {
        KafkaBroker broker = PrivateKafkaResource.broker();
        Device d = Device.of("carol", "phone-" + UUID.randomUUID().toString().substring(0, 8), broker.bootstrapServers());
        String r = UUID.randomUUID().toString().substring(0, 8);
        // a first write while Kafka is up: the service has read the device's registration before Kafka stops
        d.push(List.of(grant("warm-" + r, "warm-" + r, 1)));
        long start = d.revision();
        broker.stop();
        List<Long> revisions = new ArrayList<>();
        try {
            for (int b = 0; b < 10; b++) {
                List<Map<String, Object>> ops = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    ops.add(grant("k-" + r + "-" + b + "-" + i, "crystal-" + r, 1));
                }
                JsonNode answer = d.push(ops);
                answer.path("results").forEach(x -> revisions.add(x.path("revision").asLong()));
            }
            assertThat(d.snapshot().path("inventory").path("crystal-" + r).asLong()).isEqualTo(50);
        } finally {
            broker.start();
        }
        List<Long> expected = LongStream.rangeClosed(start + 1, start + 50).boxed().toList();
        assertThat(revisions).containsExactlyElementsOf(expected);

        try (EventReader reader = EventReader.fromBeginning(broker.bootstrapServers(), Topics.STATE_EVENTS)) {
            List<EventReader.Received> received = reader.await(
                    e -> e.subject().equals(d.account) && e.revision() != null && e.revision() > start, 50, Duration.ofSeconds(90));
            Map<String, CloudEvent> byId = new LinkedHashMap<>();
            received.forEach(x -> byId.putIfAbsent(x.event().id(), x.event()));
            assertThat(byId.values()).extracting(CloudEvent::revision).containsExactlyElementsOf(expected);
            assertThat(byId.values()).allSatisfy(e -> assertThat(e.deviceid()).isEqualTo(d.deviceId));
        }
    }
}
