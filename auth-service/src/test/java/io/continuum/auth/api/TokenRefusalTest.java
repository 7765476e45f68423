package io.continuum.auth.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.continuum.testing.LocalStackResource;
import io.continuum.testing.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.junit.jupiter.api.Test;

/**
 * Every kind of bad bearer token is the same 401 problem+json with {@code WWW-Authenticate: Bearer
 * error="invalid_token"} (the platform's answer, docs/api.md, RFC 6750), so nothing tells a caller which check failed. Tampered and wrong-audience tokens are real realm-signed tokens; expired, wrong-issuer and unknown-key
 * tokens are signed by a key of the test (Keycloak will not mint them).
 */
@QuarkusTest
@QuarkusTestResource(LocalStackResource.class)
class TokenRefusalTest {

    static final ObjectMapper JSON = new ObjectMapper();

    static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    static void refused(String token) {
        given().auth().oauth2(token).get("/api/auth/devices").then()
                .statusCode(401)
                .contentType("application/problem+json")
                .header("WWW-Authenticate", equalTo("Bearer error=\"invalid_token\""))
                .body("type", equalTo("https://continuum.dev/problems/unauthorized"))
                .body("detail", equalTo("a valid bearer token is required"));
    }

    /** alice's real claims, modified, signed with a key Keycloak never published (same kid as the realm's). */
    static String forged(Map<String, Object> changes) throws Exception {
        String real = Tokens.accessToken("alice");
        JsonNode header = JSON.readTree(Base64.getUrlDecoder().decode(real.split("\\.")[0]));
        @SuppressWarnings("unchecked")
        Map<String, Object> claims = new LinkedHashMap<>(JSON.convertValue(Tokens.claims(real), Map.class));
        claims.putAll(changes);
        RsaJsonWebKey key = RsaJwkGenerator.generateJwk(2048);
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(JSON.writeValueAsString(claims));
        jws.setKey(key.getPrivateKey());
        jws.setKeyIdHeaderValue(header.path("kid").asText());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        return jws.getCompactSerialization();
    }

    @Test
    void aGoodTokenIsAccepted() {
        given().auth().oauth2(Tokens.accessToken("alice")).get("/api/auth/devices").then().statusCode(200);
    }

    @Test
    void tamperedSignature() {
        String[] bob = Tokens.accessToken("bob").split("\\.");
        String alice = Tokens.accessToken("alice").split("\\.")[1];
        refused(bob[0] + "." + alice + "." + bob[2]);
        // a flipped signature byte
        String sig = bob[2];
        refused(bob[0] + "." + bob[1] + "." + (sig.charAt(0) == 'A' ? 'B' : 'A') + sig.substring(1));
    }

    @Test
    void noneAlgorithm() {
        String payload = Tokens.accessToken("alice").split("\\.")[1];
        refused(b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + payload + ".");
    }

    @Test
    void expired() throws Exception {
        long now = System.currentTimeMillis() / 1000;
        refused(forged(Map.of("iat", now - 900, "exp", now - 600)));
    }

    @Test
    void wrongIssuer() throws Exception {
        refused(forged(Map.of("iss", "http://localhost:8180/realms/master")));
    }

    @Test
    void unknownSigningKey() throws Exception {
        refused(forged(Map.of()));
    }

    @Test
    void wrongAudienceRealmSignedToken() throws Exception {
        // admin-cli is a built-in public client of the realm without the continuum-api audience mapper
        String form = "grant_type=password&client_id=admin-cli&username=alice&password=alice&scope=openid";
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(Tokens.tokenEndpoint()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        String token = JSON.readTree(r.body()).path("access_token").asText();
        assertThat(Tokens.claims(token).path("aud").toString()).doesNotContain("continuum-api");
        refused(token);
    }

    @Test
    void garbage() {
        refused("not.a.jwt");
        refused("x");
    }
}
