package io.continuum.e2e.notifications;

import com.fasterxml.jackson.databind.JsonNode;
import io.continuum.testing.DeviceRegistrations;
import io.continuum.testing.LocalStack;
import io.continuum.testing.Tokens;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Through the gateway: a write on device A (session-service) reaches device B's socket (notification-service). */
class NotificationsE2ETest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void stack() {
        LocalStack.ensureFullStack();
    }

    @Test
    void aPlaybackChangeOnAReachesBAndAIsToldItsEcho() throws Exception {
        String gw = LocalStack.GATEWAY_URL;
        String ws = gw.replaceFirst("^http", "ws");
        Tokens.TokenSet alice = Tokens.signIn("alice", "alice");
        String run = UUID.randomUUID().toString().substring(0, 8);
        String a = "e2e-a-" + run;
        Tokens.TokenSet aliceB = Tokens.signIn("alice", "alice");
        DeviceRegistrations.registerThroughGateway(alice, a);
        DeviceRegistrations.registerThroughGateway(aliceB, "e2e-b-" + run);
        try (WsDevice devA = WsDevice.open(ws, alice.accessToken(), a);
                WsDevice devB = WsDevice.open(ws, aliceB.accessToken(), "e2e-b-" + run)) {
            devA.awaitType("live", WAIT);
            devB.awaitType("live", WAIT);
            String opId = "e2e-" + run;
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(gw + "/api/state/ops"))
                    .header("Authorization", "Bearer " + alice.accessToken()).header("X-Device-Id", a)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"ops\":[{\"opId\":\"" + opId + "\",\"kind\":\"playback.set\","
                            + "\"contentId\":\"movie-" + run + "\",\"positionMs\":61000,\"durationMs\":5400000,\"state\":\"paused\"}]}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode onB = devB.await(f -> f.has("seq") && opId.equals(f.path("data").path("opId").asText()), WAIT);
            JsonNode onA = devA.await(f -> f.has("seq") && opId.equals(f.path("data").path("opId").asText()), WAIT);
            assertThat(onB.path("echo").asBoolean()).isFalse();
            assertThat(onA.path("echo").asBoolean()).isTrue();
            assertThat(onB.path("origin").asText()).isEqualTo(a);
            assertThat(onB.path("revision").asLong()).isPositive();
        }
    }

    @Test
    void theGatewayRefusesAnUnauthenticatedUpgrade() {
        var refused = WsDevice.connect(LocalStack.GATEWAY_URL.replaceFirst("^http", "ws"), "not-a-token", "x", true);
        assertThat(refused).failsWithin(WAIT).withThrowableThat()
                .withCauseInstanceOf(java.net.http.WebSocketHandshakeException.class);
    }

    @Test
    void markingANotificationReadIsRefusedToADeviceThatIsNotRegistered() throws Exception {
        Tokens.TokenSet bob = Tokens.signIn("bob", "bob");
        String run = UUID.randomUUID().toString().substring(0, 8);
        HttpResponse<String> ghost = read(bob, "ghost-" + run, "n-" + run);
        assertThat(ghost.statusCode()).as(ghost.body()).isEqualTo(403);
        assertThat(ghost.body()).contains("device-not-registered").contains("X-Device-Id");
        DeviceRegistrations.registerThroughGateway(bob, "tv-" + run);
        HttpResponse<String> registered = read(bob, "tv-" + run, "n-" + run);
        assertThat(registered.statusCode()).as(registered.body()).isEqualTo(200);
    }

    private static HttpResponse<String> read(Tokens.TokenSet t, String device, String id) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(LocalStack.GATEWAY_URL + "/api/notifications/read"))
                .header("Authorization", "Bearer " + t.accessToken()).header("X-Device-Id", device)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"" + id + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
    }
}
