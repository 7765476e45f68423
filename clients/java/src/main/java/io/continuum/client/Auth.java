package io.continuum.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Keycloak sign-in of one device: password grant (tools, tests), the OAuth 2.0 Device Authorization Grant (TVs,
 * consoles; RFC 8628 with PKCE), and refresh-token rotation (every refresh returns a new refresh token and voids the
 * old one, so the newest is always kept, and saved through {@link #onRefreshToken}).
 *
 * <p>{@link #accessToken()} always returns a token valid for at least {@link #REFRESH_MARGIN}. When Keycloak refuses
 * the refresh token (the session ended: revoked, logged out everywhere) the device is signed out; {@link #reSignIn()}
 * signs in again only with credentials the app allowed to be reused, else it throws {@link ContinuumException.SignedOut}.
 */
public final class Auth {

    /** A token closer than this to its expiry is refreshed before use. */
    public static final Duration REFRESH_MARGIN = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final System.Logger LOG = System.getLogger(Auth.class.getName());

    /** What the TV shows during the device grant. */
    public record DeviceCode(String userCode, String verificationUri, String verificationUriComplete, Duration expiresIn) {
    }

    /** Tokens of one Keycloak session. */
    public record Tokens(String accessToken, String refreshToken, Instant expiresAt, String sessionId, String accountId) {
    }

    private final String keycloakUrl;
    private final String realm;
    private final String clientId;
    private final HttpClient http;
    private final Clock clock;
    private volatile Tokens tokens;
    private volatile String[] reusablePassword;
    private volatile Consumer<String> onRefreshToken = t -> { };

    public Auth(String keycloakUrl, String realm, String clientId, HttpClient http, Clock clock) {
        this.keycloakUrl = keycloakUrl.replaceAll("/+$", "");
        this.realm = realm;
        this.clientId = clientId;
        this.http = http;
        this.clock = clock;
    }

    /** Called with every new refresh token (after sign-in and each rotation), e.g. to keep it in the device store. */
    public void onRefreshToken(Consumer<String> listener) {
        this.onRefreshToken = listener;
    }

    /**
     * Password grant (Keycloak direct grant; for tools and tests). With {@code reuseOnRevocation} the credentials are
     * kept in memory and used again when the session is revoked.
     */
    public synchronized Tokens signInWithPassword(String username, String password, boolean reuseOnRevocation) {
        reusablePassword = reuseOnRevocation ? new String[] {username, password} : null;
        return accept(token(Map.of("grant_type", "password", "client_id", clientId, "username", username,
                "password", password, "scope", "openid")));
    }

    /** Signs in with a refresh (or offline) token kept from an earlier run. */
    public synchronized Tokens signInWithRefreshToken(String refreshToken) {
        return accept(token(Map.of("grant_type", "refresh_token", "client_id", clientId, "refresh_token", refreshToken)));
    }

    /**
     * The Device Authorization Grant: asks for a code, hands it to {@code show} (display it and a QR code of
     * {@code verificationUriComplete}), then polls until the user approved on another device. Asks for
     * {@code offline_access}, so the TV stays signed in across restarts. Blocks up to the code's lifetime.
     */
    public Tokens signInWithDeviceCode(Consumer<DeviceCode> show) {
        String verifier = randomUrlSafe(48);
        JsonNode code = post(endpoint("auth/device"), Map.of("client_id", clientId, "scope", "openid offline_access",
                "code_challenge", s256(verifier), "code_challenge_method", "S256"), true);
        Duration interval = Duration.ofSeconds(code.path("interval").asLong(5));
        Instant deadline = clock.instant().plusSeconds(code.path("expires_in").asLong(600));
        show.accept(new DeviceCode(code.path("user_code").asText(), code.path("verification_uri").asText(),
                code.path("verification_uri_complete").asText(), Duration.ofSeconds(code.path("expires_in").asLong())));
        while (clock.instant().isBefore(deadline)) {
            sleep(interval);
            JsonNode answer = post(endpoint("token"), Map.of("grant_type", "urn:ietf:params:oauth:grant-type:device_code",
                    "device_code", code.path("device_code").asText(), "client_id", clientId, "code_verifier", verifier), false);
            String error = answer.path("error").asText("");
            switch (error) {
                case "" -> {
                    synchronized (this) {
                        reusablePassword = null;
                        return accept(answer);
                    }
                }
                case "authorization_pending" -> { }
                case "slow_down" -> interval = interval.plusSeconds(5);
                default -> throw new ContinuumException.SignedOut("device sign-in failed: " + error + " "
                        + answer.path("error_description").asText(""));
            }
        }
        throw new ContinuumException.SignedOut("device sign-in: the code expired before it was approved");
    }

    /** A valid access token, refreshed first when it is about to expire. */
    public synchronized String accessToken() {
        Tokens t = current();
        if (t.expiresAt().minus(REFRESH_MARGIN).isBefore(clock.instant())) {
            t = refresh();
        }
        return t.accessToken();
    }

    /** Refreshes now (rotation: the new refresh token replaces the old one). */
    public synchronized Tokens refresh() {
        Tokens t = current();
        try {
            return accept(token(Map.of("grant_type", "refresh_token", "client_id", clientId, "refresh_token", t.refreshToken())));
        } catch (ContinuumException.Problem refused) {
            LOG.log(System.Logger.Level.INFO, "refresh refused ({0}): the session is over", refused.getMessage());
            throw new ContinuumException.SignedOut("the session ended: Keycloak refused the refresh token");
        }
    }

    /** The session was revoked: signs in again if the app allowed it (password kept), else {@link ContinuumException.SignedOut}. */
    public synchronized Tokens reSignIn(String why) {
        String[] p = reusablePassword;
        if (p == null) {
            tokens = null;
            throw new ContinuumException.SignedOut("signed out (" + why + "); sign in again");
        }
        LOG.log(System.Logger.Level.INFO, "session revoked ({0}): signing in again as {1}", why, p[0]);
        return signInWithPassword(p[0], p[1], true);
    }

    public Tokens current() {
        Tokens t = tokens;
        if (t == null) {
            throw new ContinuumException.SignedOut("not signed in");
        }
        return t;
    }

    public boolean signedIn() {
        return tokens != null;
    }

    /** Forgets the tokens (after "log out everywhere" or a revocation the app does not want to recover from). */
    public synchronized void forget() {
        tokens = null;
        reusablePassword = null;
    }

    private Tokens accept(JsonNode r) {
        String access = r.path("access_token").asText();
        JsonNode claims = claims(access);
        Tokens t = new Tokens(access, r.path("refresh_token").asText(null),
                clock.instant().plusSeconds(r.path("expires_in").asLong(300)),
                claims.path("sid").asText(null), claims.path("sub").asText(null));
        tokens = t;
        if (t.refreshToken() != null) {
            onRefreshToken.accept(t.refreshToken());
        }
        return t;
    }

    /** The claims of a JWT (not verified: the services verify; the device reads its own token's sid/sub). */
    public static JsonNode claims(String jwt) {
        try {
            return JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
        } catch (IOException | RuntimeException e) {
            throw new ContinuumException("the access token is not a JWT", e);
        }
    }

    private JsonNode token(Map<String, String> form) {
        return post(endpoint("token"), form, true);
    }

    private String endpoint(String tail) {
        return keycloakUrl + "/realms/" + realm + "/protocol/openid-connect/" + tail;
    }

    private JsonNode post(String url, Map<String, String> form, boolean failOnError) {
        String body = new LinkedHashMap<>(form).entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpResponse<String> r;
        try {
            r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new ContinuumException.Unavailable("Keycloak unreachable at " + url + ": " + e, null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContinuumException("interrupted", e);
        }
        JsonNode json;
        try {
            json = JSON.readTree(r.body().isEmpty() ? "{}" : r.body());
        } catch (IOException e) {
            throw new ContinuumException.Unavailable("Keycloak answered " + r.statusCode() + " with no JSON", null, e);
        }
        if (r.statusCode() >= 500) {
            throw new ContinuumException.Unavailable("Keycloak answered " + r.statusCode(), null, null);
        }
        if (r.statusCode() != 200 && failOnError) {
            throw new ContinuumException.Problem(r.statusCode(), json, "POST", url);
        }
        return json;
    }

    private static String randomUrlSafe(int bytes) {
        byte[] b = new byte[bytes];
        new SecureRandom().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static String s256(String verifier) {
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(
                    MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The device grant's polling pause: RFC 8628 §3.5 requires the client to wait {@code interval} seconds between
     * token requests (and 5 s more after {@code slow_down}); there is no event to wait on, the answer exists only at
     * Keycloak. The calling thread is the app's sign-in thread, which blocks by contract (see the javadoc above).
     */
    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContinuumException("interrupted", e);
        }
    }
}
