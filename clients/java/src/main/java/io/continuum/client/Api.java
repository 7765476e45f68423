package io.continuum.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/**
 * JSON calls to the gateway as this device: bearer token, {@code X-Device-Id}, problem+json mapped to
 * {@link ContinuumException}s.
 *
 * <p>A 401 is answered once by the SDK itself: {@code session-revoked} → {@link Revocation#revoked} (re-sign-in and
 * registration, or signed out), any other 401 → a token refresh; then the call is made again. 5xx, 503 with
 * {@code Retry-After} and network failures become {@link ContinuumException.Unavailable} (the caller backs off).
 * Each answer's {@code Date} header also gives the offset between this device's clock and the servers'.
 */
public final class Api {

    /** What to do when a call says the session was revoked. */
    public interface Revocation {
        void revoked(String why);
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final String baseUrl;
    private final String deviceId;
    private final Auth auth;
    private final HttpClient http;
    private final Clock clock;
    private volatile Revocation revocation = why -> { };
    private volatile Duration skew;

    public Api(String baseUrl, String deviceId, Auth auth, HttpClient http, Clock clock) {
        this.baseUrl = baseUrl.replaceAll("/+$", "");
        this.deviceId = deviceId;
        this.auth = auth;
        this.http = http;
        this.clock = clock;
    }

    public void onRevocation(Revocation r) {
        this.revocation = r;
    }

    public JsonNode get(String path) {
        return call("GET", path, null);
    }

    public JsonNode post(String path, Object body) {
        return call("POST", path, body);
    }

    public JsonNode delete(String path) {
        return call("DELETE", path, null);
    }

    /**
     * Server clock minus device clock, measured from the {@code Date} header of the last answer (second resolution:
     * ±0.5 s); zero until a call was answered.
     */
    public Duration clockSkew() {
        Duration s = skew;
        return s == null ? Duration.ZERO : s;
    }

    public JsonNode call(String method, String path, Object body) {
        try {
            return once(method, path, body);
        } catch (Unauthorized u) {
            if (u.revoked) {
                revocation.revoked("401 session-revoked on " + method + " " + path);
            } else {
                auth.refresh();
            }
            try {
                return once(method, path, body);
            } catch (Unauthorized again) {
                throw new ContinuumException.SignedOut(method + " " + path + " still answers 401 after a new token");
            }
        }
    }

    private JsonNode once(String method, String path, Object body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(15))
                .header("Authorization", "Bearer " + auth.accessToken()).header("X-Device-Id", deviceId)
                .header("Accept", "application/json");
        try {
            if (body != null) {
                b.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
            } else {
                b.method(method, HttpRequest.BodyPublishers.noBody());
            }
            Instant sent = clock.instant();
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            measureSkew(sent, clock.instant(), r.headers().firstValue("Date"));
            JsonNode json = r.body() == null || r.body().isBlank() ? JSON.createObjectNode() : readOrWrap(r.body());
            int status = r.statusCode();
            if (status == 401) {
                throw new Unauthorized(json.path("type").asText("").endsWith("/session-revoked"));
            }
            if (status == 503 || status >= 500) {
                throw new ContinuumException.Unavailable(method + " " + path + " → " + status + " " + json.path("detail").asText(""),
                        retryAfter(r), null);
            }
            if (status >= 400) {
                throw new ContinuumException.Problem(status, json, method, path);
            }
            return json;
        } catch (IOException e) {
            throw new ContinuumException.Unavailable(method + " " + path + ": " + e, null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContinuumException("interrupted", e);
        }
    }

    private void measureSkew(Instant sent, Instant received, Optional<String> date) {
        date.ifPresent(d -> {
            try {
                Instant server = ZonedDateTime.parse(d, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().plusMillis(500);
                Instant middle = sent.plus(Duration.between(sent, received).dividedBy(2));
                skew = Duration.between(middle, server);
            } catch (RuntimeException ignored) {
                // a proxy's odd Date: keep the last measure
            }
        });
    }

    static Duration retryAfter(HttpResponse<?> r) {
        return r.headers().firstValue("Retry-After").flatMap(v -> {
            try {
                return Optional.of(Duration.ofSeconds(Long.parseLong(v.trim())));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }).orElse(null);
    }

    private static JsonNode readOrWrap(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            return JSON.createObjectNode().put("detail", body.length() > 200 ? body.substring(0, 200) : body);
        }
    }

    private static final class Unauthorized extends RuntimeException {
        final boolean revoked;

        Unauthorized(boolean revoked) {
            super(null, null, false, false);
            this.revoked = revoked;
        }
    }
}
