package io.continuum.platform.tracing;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.continuum.events.Topics;
import io.continuum.testing.EventReader;
import io.continuum.testing.PrivateKafkaResource;
import io.continuum.testing.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * Without an OTLP endpoint tracing is off: a write carries no trace context through the outbox (no
 * {@code traceparent} in the row, the CloudEvent or the Kafka headers), so the relay and the consumers start no span.
 */
@QuarkusTest
@QuarkusTestResource(PrivateKafkaResource.class)
class TracingOffByDefaultTest {

    @Test
    void noEndpointMeansNoTraceContextOnTheWrite() {
        assertThat(ConfigProvider.getConfig().getValue("quarkus.otel.sdk.disabled", Boolean.class)).isTrue();
        Tokens.TokenSet alice = Tokens.signIn("alice", "alice");
        try (EventReader reader = new EventReader(PrivateKafkaResource.broker().bootstrapServers(), Topics.STATE_EVENTS)) {
            given().auth().oauth2(alice.accessToken()).contentType("application/json")
                    .body("{\"label\":\"untraced\",\"delta\":1}").post("/test/counters").then().statusCode(201);
            List<EventReader.Received> received = reader.await(e -> alice.subject().equals(e.subject()), 1, Duration.ofSeconds(20));
            assertThat(received).hasSize(1);
            assertThat(received.get(0).event().traceparent()).isNull();
        }
    }
}
