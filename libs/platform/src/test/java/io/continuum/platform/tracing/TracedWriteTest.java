package io.continuum.platform.tracing;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.continuum.events.EventCodec;
import io.continuum.events.Topics;
import io.continuum.platform.kafka.ConsumerLoop;
import io.continuum.platform.kafka.TopicFollower;
import io.continuum.testing.PrivateKafkaResource;
import io.continuum.testing.Tokens;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.MDC;
import org.junit.jupiter.api.Test;

/**
 * One write yields one connected trace across the asynchronous hops: the HTTP request's server span → (outbox row)
 * → the relay's PRODUCER span → (Kafka header {@code traceparent}) → a platform consumer's CONSUMER span. Real
 * Keycloak token, real PostgreSQL, a real private Kafka broker; spans are collected by an in-memory exporter.
 */
@QuarkusTest
@TestProfile(TracedWriteTest.TracingOn.class)
@QuarkusTestResource(PrivateKafkaResource.class)
class TracedWriteTest {

    public static class TracingOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.otel.sdk.disabled", "false", "quarkus.otel.bsp.schedule.delay", "20ms");
        }
    }

    @Inject
    InMemorySpanExporter spans;
    @Inject
    Traces traces;

    @Test
    void oneWriteIsOneTraceFromRequestThroughOutboxAndKafkaToTheConsumer() throws Exception {
        List<ConsumerRecord<String, byte[]>> received = new CopyOnWriteArrayList<>();
        List<String> mdcAccounts = new CopyOnWriteArrayList<>();
        TopicFollower<byte[]> follower = new TopicFollower<>(Topics.STATE_EVENTS, Duration.ofMillis(100),
                Duration.ofSeconds(30), (kafka, added) -> kafka.seekToEnd(added), r -> {
                    received.add(r);
                    mdcAccounts.add(String.valueOf(MDC.get(LogContext.ACCOUNT_ID)));
                }, traces);
        ConsumerLoop<String, byte[]> loop = ConsumerLoop.start("trace-test-consumer", () -> new KafkaConsumer<>(
                consumerProperties(), new StringDeserializer(), new ByteArrayDeserializer()), follower);
        try {
            assertThat(follower.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
            Tokens.TokenSet alice = Tokens.signIn("alice", "alice");
            long value = given().auth().oauth2(alice.accessToken()).contentType("application/json")
                    .body("{\"label\":\"traced\",\"delta\":3}")
                    .post("/test/counters").then().statusCode(201).extract().jsonPath().getLong("value");

            // this write's event: the counter's new value is its revision (earlier tests wrote for alice too)
            java.util.function.Predicate<ConsumerRecord<String, byte[]>> ours = r -> alice.subject().equals(r.key())
                    && Long.valueOf(value).equals(EventCodec.shared().decode(r.value()).revision());
            await().atMost(Duration.ofSeconds(20)).until(() -> received.stream().anyMatch(ours));
            ConsumerRecord<String, byte[]> record = received.stream().filter(ours).findFirst().orElseThrow();
            assertThat(record.headers().lastHeader(Traces.HEADER)).as("traceparent header").isNotNull();
            String header = new String(record.headers().lastHeader(Traces.HEADER).value(), StandardCharsets.UTF_8);

            SpanData[] hops = new SpanData[3];
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                List<SpanData> all = spans.getFinishedSpanItems();
                SpanData consume = all.stream().filter(s -> s.getKind() == SpanKind.CONSUMER
                        && s.getName().equals(Topics.STATE_EVENTS + " consume")
                        && s.getParentSpanId().equals(header.split("-")[2])).findFirst().orElseThrow();
                SpanData publish = all.stream().filter(s -> s.getKind() == SpanKind.PRODUCER
                        && s.getSpanId().equals(consume.getParentSpanId())).findFirst().orElseThrow();
                SpanData server = all.stream().filter(s -> s.getKind() == SpanKind.SERVER
                        && s.getTraceId().equals(publish.getTraceId())).findFirst().orElseThrow();
                hops[0] = server;
                hops[1] = publish;
                hops[2] = consume;
            });
            SpanData server = hops[0];
            SpanData publish = hops[1];
            SpanData consume = hops[2];
            // one trace: every hop has the request's trace id, and each async hop is a child of the one before
            assertThat(List.of(publish.getTraceId(), consume.getTraceId())).containsOnly(server.getTraceId());
            assertThat(server.getName()).contains("/test/counters");
            assertThat(publish.getName()).isEqualTo(Topics.STATE_EVENTS + " publish");
            assertThat(publish.getParentSpanId()).isNotEqualTo(io.opentelemetry.api.trace.SpanId.getInvalid());
            assertThat(spans.getFinishedSpanItems()).anySatisfy(s -> {
                assertThat(s.getSpanId()).isEqualTo(publish.getParentSpanId());
                assertThat(s.getTraceId()).isEqualTo(server.getTraceId());
            });
            assertThat(header).isEqualTo("00-" + publish.getTraceId() + "-" + publish.getSpanId() + "-01");
            // the CloudEvent carries the writing request's context too (traceparent extension)
            assertThat(EventCodec.shared().decode(record.value()).traceparent())
                    .startsWith("00-" + server.getTraceId() + "-").isNotEqualTo(header);
            // the consume ran with the account in the log context
            assertThat(mdcAccounts).contains(alice.subject());
        } finally {
            loop.stop(Duration.ofSeconds(5));
        }
    }

    private static Properties consumerProperties() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, PrivateKafkaResource.broker().bootstrapServers());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return p;
    }
}
