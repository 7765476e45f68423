package io.continuum.auth.keycloak;

import io.continuum.auth.config.AuthConfig;
import io.continuum.platform.problem.ProblemException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.MultiMap;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpRequest;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The few Keycloak admin API calls auth-service needs, with the service account of the confidential client
 * ({@code client_credentials}; its token is cached until shortly before it expires). Non-blocking (Vert.x web
 * client), with a timeout per call and a short retry on connection errors and 5xx; when Keycloak stays
 * unavailable the caller gets 503.
 */
@ApplicationScoped
public class KeycloakAdmin {

    private static final Logger LOG = Logger.getLogger(KeycloakAdmin.class);

    /** Answer of an admin call that failed on Keycloak's side (retried) or was refused (not retried). */
    static final class AdminCallFailed extends RuntimeException {
        final int status;

        AdminCallFailed(int status, String message) {
            super(message);
            this.status = status;
        }

        boolean retryable() {
            return status >= 500 || status == 0;
        }
    }

    private record CachedToken(String value, Instant refreshAfter) {}

    private final AuthConfig.KeycloakAdmin config;
    private final WebClient client;
    private final String realmBase;
    private volatile CachedToken token;

    private final MeterRegistry registry;

    public KeycloakAdmin(AuthConfig config, Vertx vertx, MeterRegistry registry) {
        this.registry = registry;
        this.config = config.keycloak();
        this.client = WebClient.create(vertx, new WebClientOptions()
                .setConnectTimeout((int) this.config.timeout().toMillis())
                .setKeepAlive(true));
        this.realmBase = stripSlash(this.config.url()) + "/admin/realms/" + this.config.realm();
    }

    /** Ends one session (and with {@code offline}, its offline session: the device's offline token). 404 is fine. */
    public Uni<Void> deleteSession(String sessionId, boolean offline) {
        String uri = realmBase + "/sessions/" + encode(sessionId) + (offline ? "?isOffline=true" : "");
        return call("delete-session", () -> client.deleteAbs(uri), Set.of(204, 200, 404)).replaceWithVoid();
    }

    /** Ends a session and its offline twin. */
    public Uni<Void> endSession(String sessionId) {
        return deleteSession(sessionId, false).chain(() -> deleteSession(sessionId, true));
    }

    /** Ids of the user's online sessions. */
    public Uni<List<String>> userSessionIds(String userId) {
        String uri = realmBase + "/users/" + encode(userId) + "/sessions";
        return call("user-sessions", () -> client.getAbs(uri), Set.of(200, 404)).map(r -> {
            List<String> ids = new ArrayList<>();
            if (r.statusCode() == 200) {
                JsonArray sessions = r.bodyAsJsonArray();
                for (int i = 0; i < sessions.size(); i++) {
                    ids.add(sessions.getJsonObject(i).getString("id"));
                }
            }
            return ids;
        });
    }

    /**
     * Ends every session of the user and sets the user's not-before to now, which invalidates every refresh and
     * offline token issued before: the complete "log out everywhere".
     */
    public Uni<Void> logoutUser(String userId) {
        String uri = realmBase + "/users/" + encode(userId) + "/logout";
        return call("logout-user", () -> client.postAbs(uri), Set.of(204, 200, 404)).replaceWithVoid();
    }

    /**
     * One admin call with its retries, timed as {@code continuum.auth.keycloak.admin{operation, outcome}} (outcome
     * {@code success} or {@code failure}: given up after the retries).
     */
    private Uni<HttpResponse<Buffer>> call(String operation, java.util.function.Supplier<HttpRequest<Buffer>> request,
            Set<Integer> accepted) {
        return Uni.createFrom().deferred(() -> {
            long started = System.nanoTime();
            return attempts(request, accepted).onItemOrFailure().invoke((r, e) -> Timer.builder("continuum.auth.keycloak.admin")
                    .description("Keycloak admin API calls, retries included")
                    .tag("operation", operation).tag("outcome", e == null ? "success" : "failure")
                    .register(registry).record(System.nanoTime() - started, TimeUnit.NANOSECONDS));
        });
    }

    private Uni<HttpResponse<Buffer>> attempts(java.util.function.Supplier<HttpRequest<Buffer>> request, Set<Integer> accepted) {
        return accessToken()
                .chain(bearer -> request.get().bearerTokenAuthentication(bearer)
                        .timeout(config.timeout().toMillis())
                        .send()
                        .onFailure().transform(e -> new AdminCallFailed(0, e.toString())))
                .map(r -> {
                    if (r.statusCode() == 401) {
                        token = null; // expired or rotated secret: fetch a new token on the retry
                        throw new AdminCallFailed(503, "admin token refused");
                    }
                    if (!accepted.contains(r.statusCode())) {
                        throw new AdminCallFailed(r.statusCode(), "Keycloak answered " + r.statusCode() + ": " + r.bodyAsString());
                    }
                    return r;
                })
                .onFailure(e -> e instanceof AdminCallFailed f && f.retryable())
                .retry().withBackOff(Duration.ofMillis(100), Duration.ofSeconds(1)).atMost(config.retries())
                .onFailure().transform(e -> {
                    LOG.warnf("Keycloak admin call failed: %s", e.getMessage());
                    return ProblemException.unavailable("the identity provider is not reachable; retry later");
                });
    }

    Uni<String> accessToken() {
        CachedToken cached = token;
        if (cached != null && Instant.now().isBefore(cached.refreshAfter())) {
            return Uni.createFrom().item(cached.value());
        }
        String uri = stripSlash(config.url()) + "/realms/" + config.realm() + "/protocol/openid-connect/token";
        MultiMap form = MultiMap.caseInsensitiveMultiMap()
                .add("grant_type", "client_credentials")
                .add("client_id", config.clientId())
                .add("client_secret", config.clientSecret());
        return client.postAbs(uri).timeout(config.timeout().toMillis()).sendForm(form)
                .onFailure().transform(e -> new AdminCallFailed(0, e.toString()))
                .map(r -> {
                    if (r.statusCode() != 200) {
                        throw new AdminCallFailed(r.statusCode() >= 500 ? r.statusCode() : 503,
                                "service-account token refused: " + r.statusCode());
                    }
                    JsonObject body = r.bodyAsJsonObject();
                    long expiresIn = body.getLong("expires_in", 60L);
                    CachedToken fresh = new CachedToken(body.getString("access_token"),
                            Instant.now().plusSeconds(Math.max(5, expiresIn - 30)));
                    token = fresh;
                    return fresh.value();
                });
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String stripSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
