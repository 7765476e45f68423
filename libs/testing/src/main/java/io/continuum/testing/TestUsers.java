package io.continuum.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;

/**
 * Throw-away Keycloak users, created and deleted through the admin API with the service account. Tests that end
 * sessions ("log out everywhere" on alice would sign out every other test running against the shared stack) or read
 * an account's whole stream (the demo users' events come from everyone's tests) use one of their own.
 */
public final class TestUsers {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    public record User(String id, String username, String password) {
        public Tokens.TokenSet signIn() {
            return Tokens.signIn(username, password);
        }

        public String accessToken() {
            return signIn().accessToken();
        }

        public void delete() {
            send(HttpRequest.newBuilder(URI.create(admin() + "/users/" + id)).DELETE());
        }
    }

    private TestUsers() {
    }

    public static User create(String prefix) {
        LocalStack.ensureInfra();
        String username = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        String password = "pw-" + UUID.randomUUID();
        String body = """
                {"username":"%s","enabled":true,"emailVerified":true,"email":"%s@test.continuum.dev",
                 "firstName":"Test","lastName":"User",
                 "credentials":[{"type":"password","value":"%s","temporary":false}]}
                """.formatted(username, username, password);
        HttpResponse<String> created = send(HttpRequest.newBuilder(URI.create(admin() + "/users"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
        if (created.statusCode() != 201) {
            throw new IllegalStateException("cannot create test user: " + created.statusCode() + " " + created.body());
        }
        String location = created.headers().firstValue("Location").orElseThrow();
        return new User(location.substring(location.lastIndexOf('/') + 1), username, password);
    }

    /** Ids of the user's online sessions, as Keycloak sees them. */
    public static JsonNode sessions(String userId) {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(admin() + "/users/" + userId + "/sessions")).GET());
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Ends one session through the admin API, as an administrator would in the admin console. */
    public static int endSession(String sessionId) {
        return send(HttpRequest.newBuilder(URI.create(admin() + "/sessions/" + sessionId)).DELETE()).statusCode();
    }

    /** Grants a realm role (e.g. {@code admin}) to a throw-away user through the admin API. */
    public static void grantRealmRole(String userId, String role) {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(admin() + "/roles/" + role)).GET());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("realm role '" + role + "' is missing from the running Keycloak ("
                    + r.statusCode() + "): deploy/keycloak/continuum-realm.json defines it; deploy/local/up.sh"
                    + " re-imports a changed realm file");
        }
        HttpResponse<String> g = send(HttpRequest.newBuilder(URI.create(admin() + "/users/" + userId + "/role-mappings/realm"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("[" + r.body() + "]")));
        if (g.statusCode() != 204) {
            throw new IllegalStateException("cannot grant role " + role + ": " + g.statusCode() + " " + g.body());
        }
    }

    private static String admin() {
        return LocalStack.KEYCLOAK_URL + "/admin/realms/" + LocalStack.REALM;
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return HTTP.send(request.header("Authorization", "Bearer " + Tokens.serviceToken())
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
