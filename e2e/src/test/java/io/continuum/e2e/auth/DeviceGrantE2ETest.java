package io.continuum.e2e.auth;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.continuum.testing.LocalStack;
import io.continuum.testing.Tokens;
import io.restassured.http.ContentType;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * TV sign-in with the OAuth 2.0 Device Authorization Grant (RFC 8628) against the real Keycloak: the TV asks for a
 * code and polls; "the phone" opens the verification link, signs in on Keycloak's login page and approves on its
 * consent page; the TV then gets tokens and registers itself as a device.
 */
class DeviceGrantE2ETest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String OIDC = LocalStack.KEYCLOAK_URL + "/realms/" + LocalStack.REALM + "/protocol/openid-connect";
    KeycloakUsers.User user;

    @BeforeAll
    static void stack() {
        LocalStack.ensureFullStack();
    }

    @BeforeEach
    void user() {
        user = KeycloakUsers.create("e2e-tv");
    }

    @AfterEach
    void cleanUp() {
        user.delete();
    }

    @Test
    void aTvSignsInWithACodeApprovedOnThePhone() throws Exception {
        HttpClient tv = HttpClient.newHttpClient();
        // 1. the TV asks for a device code
        JsonNode code = json(post(tv, OIDC + "/auth/device", Map.of("client_id", "continuum-app", "scope", "openid offline_access")));
        assertThat(code.path("user_code").asText()).isNotBlank();
        assertThat(code.path("interval").asInt()).isPositive();
        String deviceCode = code.path("device_code").asText();

        // 2. before approval the TV's poll is pending
        HttpResponse<String> pending = post(tv, OIDC + "/token", devicePoll(deviceCode));
        assertThat(pending.statusCode()).isEqualTo(400);
        assertThat(json(pending).path("error").asText()).isEqualTo("authorization_pending");

        // 3. the phone opens the verification link, signs in and approves
        approveOnPhone(code.path("verification_uri_complete").asText());

        // 4. the TV's next poll gets tokens (Keycloak asks for >= interval between polls: slow_down otherwise)
        AtomicReference<JsonNode> tokens = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(code.path("interval").asInt()))
                .until(() -> {
                    HttpResponse<String> r = post(tv, OIDC + "/token", devicePoll(deviceCode));
                    if (r.statusCode() == 200) {
                        tokens.set(json(r));
                        return true;
                    }
                    assertThat(json(r).path("error").asText()).isIn("authorization_pending", "slow_down");
                    return false;
                });
        String access = tokens.get().path("access_token").asText();
        JsonNode claims = Tokens.claims(access);
        assertThat(claims.path("preferred_username").asText()).isEqualTo(user.username());
        assertThat(claims.path("sid").asText()).isNotBlank();
        assertThat(Tokens.claims(tokens.get().path("refresh_token").asText()).path("typ").asText()).isEqualTo("Offline");

        // 5. the TV registers itself and is a device like any other
        String tvId = "tv-" + UUID.randomUUID();
        given().baseUri(LocalStack.GATEWAY_URL).auth().oauth2(access).contentType(ContentType.JSON)
                .body(Map.of("deviceId", tvId, "kind", "tv", "platform", "tizen", "displayName", "Living room TV"))
                .post("/api/auth/devices").then().statusCode(201);
        given().baseUri(LocalStack.GATEWAY_URL).auth().oauth2(access).get("/api/auth/devices/" + tvId)
                .then().statusCode(200).body("current", org.hamcrest.Matchers.equalTo(true));

        // a used device code cannot be redeemed twice
        assertThat(post(tv, OIDC + "/token", devicePoll(deviceCode)).statusCode()).isEqualTo(400);
    }

    /** Plays the phone's browser: Keycloak's real login page, then its consent page. */
    void approveOnPhone(String verificationUri) throws Exception {
        HttpClient phone = HttpClient.newBuilder().cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        HttpResponse<String> page = phone.send(HttpRequest.newBuilder(URI.create(verificationUri)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        Map<String, String> login = new LinkedHashMap<>(hiddenInputs(page.body()));
        login.put("username", user.username());
        login.put("password", user.password());
        page = post(phone, formAction(page.body()), login);
        assertThat(page.statusCode()).isEqualTo(200);
        // the consent page ("Continuum apps wants to access …"): accept
        assertThat(page.body()).contains("name=\"accept\"");
        Map<String, String> consent = new LinkedHashMap<>(hiddenInputs(page.body()));
        consent.put("accept", "Yes");
        page = post(phone, formAction(page.body()), consent);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).doesNotContain("name=\"accept\"");
    }

    static Map<String, String> devicePoll(String deviceCode) {
        return Map.of("grant_type", "urn:ietf:params:oauth:grant-type:device_code", "device_code", deviceCode,
                "client_id", "continuum-app");
    }

    static String formAction(String html) {
        Matcher m = Pattern.compile("<form[^>]*action=\"([^\"]+)\"").matcher(html);
        assertThat(m.find()).as("a form in the page").isTrue();
        return m.group(1).replace("&amp;", "&");
    }

    static Map<String, String> hiddenInputs(String html) {
        Map<String, String> fields = new LinkedHashMap<>();
        Matcher m = Pattern.compile("<input[^>]*type=\"hidden\"[^>]*>").matcher(html);
        while (m.find()) {
            Matcher name = Pattern.compile("name=\"([^\"]+)\"").matcher(m.group());
            Matcher value = Pattern.compile("value=\"([^\"]*)\"").matcher(m.group());
            if (name.find()) {
                fields.put(name.group(1), value.find() ? value.group(1).replace("&amp;", "&") : "");
            }
        }
        return fields;
    }

    static HttpResponse<String> post(HttpClient client, String uri, Map<String, String> form) throws Exception {
        String body = form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return client.send(HttpRequest.newBuilder(URI.create(uri))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body());
    }
}
