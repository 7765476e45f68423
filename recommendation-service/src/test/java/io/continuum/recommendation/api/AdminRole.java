package io.continuum.recommendation.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.continuum.testing.LocalStack;
import io.continuum.testing.Tokens;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.eclipse.microprofile.config.ConfigProvider;

/** Grants the configured admin realm role to a throw-away user through the Keycloak admin API (service account). */
final class AdminRole {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private AdminRole() {
    }

    static void grant(String userId) {
        String role = ConfigProvider.getConfig().getValue("continuum.recommendation.admin-role", String.class);
        String realm = LocalStack.KEYCLOAK_URL + "/admin/realms/" + LocalStack.REALM;
        try {
            HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(realm + "/roles/" + role)).GET());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("realm role '" + role + "' is missing from the running Keycloak ("
                        + r.statusCode() + "): deploy/keycloak/continuum-realm.json defines it; deploy/local/up.sh"
                        + " re-imports a changed realm file");
            }
            JsonNode rep = new ObjectMapper().readTree(r.body());
            HttpResponse<String> g = send(HttpRequest.newBuilder(URI.create(realm + "/users/" + userId + "/role-mappings/realm"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("[" + rep + "]")));
            if (g.statusCode() != 204) {
                throw new IllegalStateException("cannot grant role " + role + ": " + g.statusCode() + " " + g.body());
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static HttpResponse<String> send(HttpRequest.Builder b) throws java.io.IOException, InterruptedException {
        return HTTP.send(b.header("Authorization", "Bearer " + Tokens.serviceToken()).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
