package io.continuum.notification.api;

import io.continuum.notification.domain.DeliveryClass;
import io.continuum.notification.domain.FrameDraft;
import io.continuum.notification.persistence.StreamStore;
import io.continuum.notification.support.WsClient;
import io.continuum.testing.LocalStackResource;
import io.continuum.testing.TestUsers;
import io.continuum.testing.ThrowAwayUsers;
import io.continuum.testing.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The socket meters as Prometheus serves them on {@code /q/metrics}, moved by a real socket (real Keycloak token,
 * PostgreSQL, the running service): a replay, the gauges while it is open, and the close codes of a server-side close
 * (1009) and a client's close (1000). Coalescing and drops are driven in {@code StreamMetersTest} (a stalled socket
 * cannot be produced reliably over loopback TCP).
 */
@QuarkusTest
@QuarkusTestResource(LocalStackResource.class)
class SocketMetersTest {

    @RegisterExtension
    static final ThrowAwayUsers USERS = new ThrowAwayUsers("ann");
    static final TestUsers.User ANN = USERS.get("ann");

    @TestHTTPResource("/")
    URL root;
    @Inject
    StreamStore store;

    private String base() {
        return root.toString().replaceAll("/$", "");
    }

    /** Sum of the samples of {@code metric} whose labels contain every {@code label="value"} given. */
    private static double metric(String metric, String... labels) {
        String text = given().get("/q/metrics").then().statusCode(200).extract().asString();
        double sum = 0;
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(metric) + "(\\{[^}]*})? ([0-9.eE+-]+)$").matcher(text);
        while (m.find()) {
            String l = m.group(1) == null ? "" : m.group(1);
            boolean all = true;
            for (String label : labels) {
                all &= l.contains(label);
            }
            if (all) {
                sum += Double.parseDouble(m.group(2));
            }
        }
        return sum;
    }

    private void append(String account, DeliveryClass delivery) {
        store.append(new FrameDraft(account, "m-" + UUID.randomUUID(), "continuum.test.v1", delivery, null, "phone", null,
                Instant.now(), "{}")).await().atMost(Duration.ofSeconds(10));
    }

    @Test
    void aReplayTheOpenSocketAndItsCloseCodeShowOnTheMetricsEndpoint() {
        Tokens.TokenSet ann = ANN.signIn();
        String account = ann.subject();
        append(account, DeliveryClass.ORDERED);
        append(account, DeliveryClass.ORDERED);
        append(account, DeliveryClass.CRITICAL);
        StreamStore.StreamInfo info = store.info(account).await().atMost(Duration.ofSeconds(10)).orElseThrow();

        double pages = metric("continuum_notification_replay_pages_total");
        double ordered = metric("continuum_notification_frames_sent_total", "class=\"ordered\"");
        double critical = metric("continuum_notification_frames_sent_total", "class=\"critical\"");
        double control = metric("continuum_notification_frames_sent_total", "class=\"control\"");
        double tooBig = metric("continuum_notification_closes_total", "code=\"1009\"");
        double normal = metric("continuum_notification_closes_total", "code=\"1000\"");

        String device = "tv-" + UUID.randomUUID().toString().substring(0, 8);
        WsClient tv = WsClient.to(base()).token(ann.accessToken()).device(device).resume(info.head() - 3, info.epoch()).connect();
        tv.awaitType("live");
        assertThat(tv.streamFrames()).hasSize(3);
        assertThat(metric("continuum_notification_streams")).isGreaterThanOrEqualTo(1);
        assertThat(metric("continuum_notification_sockets")).isGreaterThanOrEqualTo(1);
        assertThat(metric("continuum_notification_replay_pages_total")).isGreaterThanOrEqualTo(pages + 1);
        assertThat(metric("continuum_notification_frames_sent_total", "class=\"ordered\"")).isGreaterThanOrEqualTo(ordered + 2);
        assertThat(metric("continuum_notification_frames_sent_total", "class=\"critical\"")).isGreaterThanOrEqualTo(critical + 1);
        assertThat(metric("continuum_notification_frames_sent_total", "class=\"control\"")).isGreaterThanOrEqualTo(control + 2);

        tv.send("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(20_000) + "\"}"); // over the message limit: the server closes 1009
        assertThat(tv.awaitClose(Duration.ofSeconds(15))).isEqualTo(1009);
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                assertThat(metric("continuum_notification_closes_total", "code=\"1009\"")).isGreaterThanOrEqualTo(tooBig + 1));

        try (WsClient again = WsClient.to(base()).token(ann.accessToken()).device(device).connect()) {
            again.awaitType("live");
        } // the client closes 1000
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                assertThat(metric("continuum_notification_closes_total", "code=\"1000\"")).isGreaterThanOrEqualTo(normal + 1));
    }
}
