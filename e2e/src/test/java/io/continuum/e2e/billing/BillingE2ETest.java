package io.continuum.e2e.billing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.continuum.e2e.notifications.WsDevice;
import io.continuum.testing.DeviceRegistrations;
import io.continuum.testing.LocalStack;
import io.continuum.testing.ThrowAwayUsers;
import io.continuum.testing.Tokens;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Premium bought on the phone, and the TV knows at once: checkout through the gateway → the provider simulator's
 * checkout page (paid like a browser would) → signed webhooks → billing-sync-service → outbox → {@code billing.events}
 * → notification-service → a critical frame on both connected devices; and session-service's local read model lets
 * the TV play premium content it was refused a moment before.
 */
class BillingE2ETest {

    static final String GW = LocalStack.GATEWAY_URL;
    static final String SIMULATOR = System.getProperty("billing.simulator.url", "http://127.0.0.1:8086");
    static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final ThrowAwayUsers USERS = new ThrowAwayUsers("e2e-bill");

    @BeforeAll
    static void stack() {
        LocalStack.ensureFullStack();
    }

    @Test
    void premiumBoughtOnThePhoneReachesEveryDeviceAsACriticalFrame() throws Exception {
        var user = USERS.get("e2e-bill");
        Tokens.TokenSet phoneTokens = user.signIn();
        Tokens.TokenSet tvTokens = user.signIn();
        String ws = GW.replaceFirst("^http", "ws");
        String r = UUID.randomUUID().toString().substring(0, 8);
        DeviceRegistrations.registerThroughGateway(phoneTokens, "phone-" + r);
        DeviceRegistrations.registerThroughGateway(tvTokens, "tv-" + r);
        try (WsDevice phone = WsDevice.open(ws, phoneTokens.accessToken(), "phone-" + r);
             WsDevice tv = WsDevice.open(ws, tvTokens.accessToken(), "tv-" + r)) {
            phone.awaitType("live", Duration.ofSeconds(30));
            tv.awaitType("live", Duration.ofSeconds(30));

            assertThat(play(tvTokens.accessToken(), "tv-" + r, "a-" + r, "premium-film-" + r).path("reason").asText())
                    .isEqualTo("entitlement-required");

            JsonNode checkout = JSON.readTree(given().auth().oauth2(phoneTokens.accessToken())
                    .header("Idempotency-Key", UUID.randomUUID().toString()).contentType("application/json")
                    .body("{\"planId\":\"premium-monthly\"}").post(GW + "/api/billing/checkout")
                    .then().statusCode(201).extract().asString());
            String page = checkout.path("url").asText().replaceFirst("^http://localhost:8086", SIMULATOR);
            HttpResponse<String> html = HTTP.send(HttpRequest.newBuilder(URI.create(page)).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(html.statusCode()).isEqualTo(200);
            assertThat(html.body()).contains("premium-monthly").contains("<button id=pay");
            HttpResponse<String> paid = HTTP.send(HttpRequest.newBuilder(URI.create(page))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("outcome=paid")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(paid.statusCode()).isEqualTo(303);

            Predicate<JsonNode> premiumActive = f -> "continuum.billing.entitlement-changed.v1".equals(f.path("type").asText())
                    && "premium".equals(f.path("data").path("entitlement").asText()) && f.path("data").path("active").asBoolean();
            for (WsDevice d : List.of(phone, tv)) {
                JsonNode frame = d.await(premiumActive, Duration.ofSeconds(30));
                assertThat(frame.path("class").asText()).isEqualTo("critical");
                assertThat(frame.path("data").path("state").asText()).isEqualTo("active");
                assertThat(frame.path("seq").asLong()).isPositive();
            }

            await().atMost(Duration.ofSeconds(20)).until(() ->
                    "applied".equals(play(tvTokens.accessToken(), "tv-" + r, "b-" + r + "-" + System.nanoTime(), "premium-film-" + r)
                            .path("status").asText()));
            JsonNode ents = JSON.readTree(given().auth().oauth2(tvTokens.accessToken()).get(GW + "/api/billing/entitlements")
                    .then().statusCode(200).extract().asString());
            assertThat(ents.path("entitlements").findValuesAsText("entitlement")).contains("premium", "ad-free");
        }
    }

    static JsonNode play(String token, String device, String opId, String contentId) throws Exception {
        Map<String, Object> op = Map.of("opId", opId, "kind", "playback.set", "contentId", contentId, "positionMs", 1000,
                "durationMs", 100_000, "state", "playing");
        String body = given().auth().oauth2(token).header("X-Device-Id", device).contentType("application/json")
                .body(Map.of("ops", List.of(op))).post(GW + "/api/state/ops").then().statusCode(200).extract().asString();
        return JSON.readTree(body).path("results").get(0);
    }
}
