package io.continuum.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** Real Keycloak tokens for the demo users (password grant on the public client {@code continuum-app}). */
public final class Tokens {

    public static final String APP_CLIENT = "continuum-app";
    public static final String SERVICE_CLIENT = "continuum-service";
    public static final String SERVICE_SECRET = "continuum-service-secret";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Tokens() {}

    /** A fresh sign-in: every call opens a new Keycloak session (its own {@code sid}). */
    public static TokenSet signIn(String username, String password) {
        return TokenSet.of(post(Map.of("grant_type", "password", "client_id", APP_CLIENT,
                "username", username, "password", password, "scope", "openid")));
    }

    /** Access token of a new session of a demo user whose password equals the name (alice, bob, carol). */
    public static String accessToken(String demoUser) {
        return signIn(demoUser, demoUser).accessToken();
    }

    /** Refreshes; throws {@link TokenRefused} when Keycloak refuses (e.g. the session was ended). */
    public static TokenSet refresh(String refreshToken) {
        return TokenSet.of(post(Map.of("grant_type", "refresh_token", "client_id", APP_CLIENT, "refresh_token", refreshToken)));
    }

    /** A service-account token of the confidential client (the one auth-service uses for the admin API). */
    public static String serviceToken() {
        return TokenSet.of(post(Map.of("grant_type", "client_credentials", "client_id", SERVICE_CLIENT,
                "client_secret", SERVICE_SECRET))).accessToken();
    }

    public static String tokenEndpoint() {
        return LocalStack.KEYCLOAK_URL + "/realms/" + LocalStack.REALM + "/protocol/openid-connect/token";
    }

    /** The JSON payload of a JWT (no signature check: tests read claims of tokens they just got). */
    public static JsonNode claims(String jwt) {
        try {
            return JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
        } catch (IOException e) {
            throw new IllegalArgumentException("not a JWT", e);
        }
    }

    static JsonNode post(Map<String, String> form) {
        String body = new LinkedHashMap<>(form).entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(tokenEndpoint()))
                            .header("Content-Type", "application/x-www-form-urlencoded")
                            .timeout(Duration.ofSeconds(10))
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new TokenRefused(r.statusCode(), r.body());
            }
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new IllegalStateException("Keycloak token endpoint unreachable at " + tokenEndpoint(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Tokens of one sign-in session. */
    public record TokenSet(String accessToken, String refreshToken, String sessionId, String subject) {
        static TokenSet of(JsonNode response) {
            String access = response.path("access_token").asText();
            JsonNode claims = claims(access);
            return new TokenSet(access, response.path("refresh_token").asText(null),
                    claims.path("sid").asText(null), claims.path("sub").asText(null));
        }
    }

    public static class TokenRefused extends RuntimeException {
        public final int status;

        TokenRefused(int status, String body) {
            super("Keycloak refused the token request: " + status + " " + body);
            this.status = status;
        }
    }
}
