package io.continuum.billing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.continuum.testing.LocalStack;
import io.continuum.testing.RepoPaths;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.awaitility.Awaitility.await;

/**
 * For {@code @QuarkusTestResource}: the real local infrastructure, plus a private payment-provider simulator (the
 * billing-provider-simulator jar, run as its own process on a free port, like the third party it stands for) with a
 * fresh merchant account whose API key and webhook secret billing-sync-service is configured with. The webhook
 * endpoint is pointed at the test's HTTP port by {@link #pointWebhooksAt(int)} once Quarkus runs.
 *
 * <p>Build the simulator first ({@code ./mvnw -pl billing-provider-simulator package}; the reactor builds it before
 * this module).
 */
public class Simulator implements QuarkusTestResourceLifecycleManager {

    /** An endpoint secret that was rotated out but is still accepted (two secrets configured). */
    public static final String OLD_SECRET = "whsec_rotated_out_but_still_accepted";
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final ObjectMapper JSON = new ObjectMapper();

    /** The simulator's test App Store root (billing-provider-simulator/src/main/resources/app-store). */
    static final Path APP_STORE_ROOT = RepoPaths.root().resolve("billing-provider-simulator/src/main/resources/app-store/root.pem");

    static final Path PLAY_SERVICE_ACCOUNT = RepoPaths.root().resolve("billing-provider-simulator/src/main/resources/play-store/service-account.json");

    public static volatile String url;
    public static volatile String apiKey;
    public static volatile String webhookSecret;
    private Process process;

    @Override
    public Map<String, String> start() {
        LocalStack.ensureInfra();
        Path jar = RepoPaths.root().resolve("billing-provider-simulator/target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: ./mvnw -pl billing-provider-simulator package");
        }
        int port = freePort();
        url = "http://127.0.0.1:" + port;
        try {
            Path log = Files.createTempFile("billing-simulator", ".log");
            process = new ProcessBuilder("java", "-Xmx128m", "-Dquarkus.http.port=" + port, "-Dsim.public-url=" + url,
                    "-Dsim.webhooks.max-backoff=2s", "-jar", jar.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the simulator", e);
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> send("GET", "/q/health/ready", null).statusCode() == 200);
        JsonNode merchant = json(send("POST", "/sim/merchants", "{}"));
        apiKey = merchant.path("apiKey").asText();
        webhookSecret = merchant.path("webhookSecret").asText();
        return Map.of(
                "continuum.billing.stripe.api-url", url,
                "continuum.billing.stripe.api-key", apiKey,
                "continuum.billing.stripe.webhook-secrets", OLD_SECRET + "," + webhookSecret,
                "continuum.billing.reconciliation.enabled", "false",
                "continuum.billing.app-store.root-certificates", APP_STORE_ROOT.toString(),
                "continuum.billing.play-store.service-account-key", PLAY_SERVICE_ACCOUNT.toString(),
                "continuum.billing.play-store.jwks-url", url + "/sim/play-store/certs",
                "continuum.billing.play-store.token-url", url + "/sim/play-store/token",
                "continuum.billing.play-store.api-url", url + "/sim/play-store",
                "continuum.billing.expiry-every", "1h");
    }

    @Override
    public void stop() {
        if (process != null) {
            process.destroy();
        }
    }

    public static void pointWebhooksAt(int port) {
        send("PUT", "/sim/merchants/" + apiKey + "/endpoint",
                "{\"url\":\"http://127.0.0.1:" + port + "/api/billing/webhooks/stripe\"}");
    }

    /** Delivery behaviour for the next actions: duplicates, outOfOrder, suppressWebhooks. */
    public static void behaviour(boolean duplicates, boolean outOfOrder, boolean suppress) {
        send("PUT", "/sim/merchants/" + apiKey + "/behaviour",
                "{\"duplicates\":" + duplicates + ",\"outOfOrder\":" + outOfOrder + ",\"suppressWebhooks\":" + suppress + "}");
    }

    /** Pays the checkout session; returns the provider subscription. */
    public static JsonNode pay(String sessionId) {
        return control("POST", "/checkout/" + sessionId + "/complete", "{}");
    }

    public static JsonNode renew(String subId, String outcome) {
        return control("POST", "/subscriptions/" + subId + "/renew", "{\"outcome\":\"" + outcome + "\"}");
    }

    public static JsonNode control(String method, String path, String body) {
        HttpResponse<String> r = send(method, "/sim/merchants/" + apiKey + path, body);
        if (r.statusCode() >= 300) {
            throw new AssertionError(method + " " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return json(r);
    }

    /** The body the App Store would POST for {@code notification} (the simulator's {@code AppStoreResource} fields). */
    public static String appStoreNotification(String notification) {
        HttpResponse<String> r = send("POST", "/sim/app-store/notifications/sign", notification);
        if (r.statusCode() != 200) {
            throw new AssertionError("the simulator refused to sign: " + r.statusCode() + " " + r.body());
        }
        return r.body();
    }

    /** Sets a Play subscription's state at the simulator and pushes its RTDN to {@code url}; answers the push's outcome. */
    public static JsonNode playNotification(String rtdn) {
        HttpResponse<String> r = send("POST", "/sim/play-store/rtdn", rtdn);
        if (r.statusCode() != 200) {
            throw new AssertionError("the simulator refused the RTDN: " + r.statusCode() + " " + r.body());
        }
        return json(r);
    }

    public static JsonNode deliveries() {
        return json(send("GET", "/sim/merchants/" + apiKey + "/deliveries", null));
    }

    static HttpResponse<String> send(String method, String path, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static JsonNode json(HttpResponse<String> r) {
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + r.body(), e);
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
