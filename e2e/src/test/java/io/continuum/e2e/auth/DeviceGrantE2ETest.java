package io.continuum.e2e.auth;

import io.continuum.testing.TestUsers;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.continuum.testing.LocalStack;
import io.continuum.testing.Tokens;
import io.restassured.http.ContentType;
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
    TestUsers.User user;

    @BeforeAll
    static void stack() {
        LocalStack.ensureFullStack();
    }

    @BeforeEach
    void user() {
        user = TestUsers.create("e2e-tv");
    }

    @AfterEach
    void cleanUp() {
        user.delete();
    }

    @Test
    void aTvSignsInWithACodeApprovedOnThePhone() throws Exception {
        HttpClient tv = HttpClient.newHttpClient();
        // 1. the TV asks for a device code
        // the realm requires PKCE (S256) on continuum-app, for the device grant too
        String verifier = UUID.randomUUID() + "-" + UUID.randomUUID();
        String challenge = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                java.security.MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        JsonNode code = json(post(tv, OIDC + "/auth/device", Map.of("client_id", "continuum-app",
                "scope", "openid offline_access", "code_challenge", challenge, "code_challenge_method", "S256")));
        assertThat(code.path("user_code").asText()).isNotBlank();
        assertThat(code.path("interval").asInt()).isPositive();
        String deviceCode = code.path("device_code").asText();

        // 2. before approval the TV's poll is pending
        HttpResponse<String> pending = post(tv, OIDC + "/token", devicePoll(deviceCode, verifier));
        assertThat(pending.statusCode()).isEqualTo(400);
        assertThat(json(pending).path("error").asText()).isEqualTo("authorization_pending");

        // 3. the phone opens the verification link, signs in and approves
        approveOnPhone(code.path("verification_uri_complete").asText());

        // 4. the TV's next poll gets tokens (Keycloak asks for >= interval between polls: slow_down otherwise)
        AtomicReference<JsonNode> tokens = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(code.path("interval").asInt()))
                .until(() -> {
                    HttpResponse<String> r = post(tv, OIDC + "/token", devicePoll(deviceCode, verifier));
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
        assertThat(post(tv, OIDC + "/token", devicePoll(deviceCode, verifier)).statusCode()).isEqualTo(400);
    }

    /** Plays the phone's browser: Keycloak's real login page, then its consent page. */
    void approveOnPhone(String verificationUri) throws Exception {
        Browser phone = new Browser();
        HttpResponse<String> page = phone.get(verificationUri);
        assertThat(page.statusCode()).isEqualTo(200);
        Map<String, String> login = new LinkedHashMap<>(hiddenInputs(page.body()));
        login.put("username", user.username());
        login.put("password", user.password());
        page = phone.post(formAction(page), login);
        assertThat(page.statusCode()).isEqualTo(200);
        // the consent page ("Continuum apps wants to access …"): accept
        assertThat(page.body()).contains("name=\"accept\"");
        Map<String, String> consent = new LinkedHashMap<>(hiddenInputs(page.body()));
        consent.put("accept", "Yes");
        page = phone.post(formAction(page), consent);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("Device Login Successful");
    }

    /**
     * A minimal browser: follows redirects and keeps cookies itself. Keycloak marks its login cookies
     * {@code Secure}; browsers send those to http://localhost (a secure context), java.net's CookieManager does not.
     */
    static final class Browser {
        final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
        final Map<String, String> cookies = new LinkedHashMap<>();

        HttpResponse<String> get(String uri) throws Exception {
            return send(uri, null);
        }

        HttpResponse<String> post(String uri, Map<String, String> form) throws Exception {
            return send(uri, form);
        }

        private HttpResponse<String> send(String uri, Map<String, String> form) throws Exception {
            for (int hops = 0; hops < 10; hops++) {
                HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(uri));
                if (!cookies.isEmpty()) {
                    b.header("Cookie", cookies.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                            .collect(Collectors.joining("; ")));
                }
                if (form != null) {
                    b.header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(encode(form)));
                } else {
                    b.GET();
                }
                HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
                r.headers().allValues("Set-Cookie").forEach(c -> {
                    String pair = c.split(";", 2)[0];
                    int eq = pair.indexOf('=');
                    cookies.put(pair.substring(0, eq).trim(), pair.substring(eq + 1));
                });
                if (r.statusCode() / 100 != 3) {
                    return r;
                }
                uri = r.uri().resolve(r.headers().firstValue("Location").orElseThrow()).toString();
                form = null;
            }
            throw new AssertionError("too many redirects");
        }
    }

    static Map<String, String> devicePoll(String deviceCode, String verifier) {
        return Map.of("grant_type", "urn:ietf:params:oauth:grant-type:device_code", "device_code", deviceCode,
                "client_id", "continuum-app", "code_verifier", verifier);
    }

    static String formAction(HttpResponse<String> page) {
        Matcher m = Pattern.compile("<form[^>]*action=\"([^\"]+)\"").matcher(page.body());
        assertThat(m.find()).as("a form in the page").isTrue();
        return page.uri().resolve(m.group(1).replace("&amp;", "&")).toString();
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

    static String encode(Map<String, String> form) {
        return form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    static HttpResponse<String> post(HttpClient client, String uri, Map<String, String> form) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(uri))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(encode(form))).build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body());
    }
}
