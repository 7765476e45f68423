package io.continuum.notification.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.continuum.events.CloudEvent;
import io.continuum.events.EventTypes;
import io.continuum.events.Topics;
import io.continuum.events.state.StateChanged;
import io.continuum.notification.support.Events;
import io.continuum.notification.support.WsClient;
import io.continuum.testing.LocalStackResource;
import io.continuum.testing.TestUsers;
import io.continuum.testing.ThrowAwayUsers;
import io.continuum.testing.Tokens;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.net.URL;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * notification-service continues the trace a producer put in the Kafka record (as session-service's outbox relay
 * does, see the platform's TracedWriteTest): the ingest's CONSUMER span is a child of the producer's span, and the
 * frame push a child of that, while the frame reaches the device. Real Kafka, PostgreSQL, Keycloak; spans collected
 * in memory.
 */
@QuarkusTest
@TestProfile(TracedIngestTest.TracingOn.class)
@QuarkusTestResource(LocalStackResource.class)
class TracedIngestTest {

    public static class TracingOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.otel.sdk.disabled", "false", "quarkus.otel.bsp.schedule.delay", "20ms",
                    "quarkus.otel.exporter.otlp.enabled", "false");
        }
    }

    /** quarkus-opentelemetry exports to every SpanExporter bean. */
    public static class Spans {
        @Produces
        @Singleton
        InMemorySpanExporter exporter() {
            return InMemorySpanExporter.create();
        }
    }

    @RegisterExtension
    static final ThrowAwayUsers USERS = new ThrowAwayUsers("tia");
    static final TestUsers.User TIA = USERS.get("tia");

    @TestHTTPResource("/")
    URL root;
    @Inject
    Ingest ingest;
    @Inject
    InMemorySpanExporter spans;

    @Test
    void theIngestAndTheFramePushContinueTheProducersTrace() throws Exception {
        assertThat(ingest.awaitAssigned(Duration.ofSeconds(30))).isTrue();
        Tokens.TokenSet tia = TIA.signIn();
        String traceId = hex(16);
        String producerSpan = hex(8);
        try (Events events = new Events();
             WsClient tv = WsClient.to(root.toString().replaceAll("/$", "")).token(tia.accessToken())
                     .device("tv-" + UUID.randomUUID().toString().substring(0, 8)).connect()) {
            tv.awaitType("live");
            CloudEvent event = CloudEvent.of(EventTypes.STATE_CHANGED, "/test", tia.subject(), "phone-1", 1L,
                    new StateChanged("profile", "op-" + UUID.randomUUID(), "displayName", JsonNodeFactory.instance.textNode("traced")));
            events.sendTraced(Topics.STATE_EVENTS, event, "00-" + traceId + "-" + producerSpan + "-01");

            JsonNode frame = tv.awaitFrame(f -> event.id().equals(f.path("id").asText()), Duration.ofSeconds(15));
            assertThat(frame.path("data").path("value").asText()).isEqualTo("traced");

            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                List<SpanData> trace = spans.getFinishedSpanItems().stream()
                        .filter(s -> s.getTraceId().equals(traceId)).toList();
                SpanData consume = trace.stream().filter(s -> s.getKind() == SpanKind.CONSUMER
                        && s.getName().equals(Topics.STATE_EVENTS + " consume")).findFirst().orElseThrow();
                assertThat(consume.getParentSpanId()).isEqualTo(producerSpan);
                assertThat(trace).anySatisfy(push -> {
                    assertThat(push.getName()).isEqualTo("frame push");
                    assertThat(push.getParentSpanId()).isEqualTo(consume.getSpanId());
                });
            });
        }
    }

    private static String hex(int bytes) {
        byte[] b = new byte[bytes];
        ThreadLocalRandom.current().nextBytes(b);
        b[0] |= 1; // never all zero (an invalid id)
        return HexFormat.of().formatHex(b);
    }
}
