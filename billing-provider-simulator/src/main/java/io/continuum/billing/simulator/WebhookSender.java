package io.continuum.billing.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jboss.logging.Logger;

/**
 * Delivers events to a merchant's webhook endpoint as Stripe does: {@code Stripe-Signature: t=…,v1=…} (one
 * {@code v1} per endpoint secret, HMAC-SHA256 over {@code "<t>.<body>"}, re-signed at every attempt), retried with
 * exponential backoff until a 2xx or the attempts run out. The merchant's {@link Merchant.Behaviour} adds duplicates
 * (every event sent twice), out-of-order delivery (a batch sent last-first) or suppression (nothing sent: a missed
 * webhook for reconciliation to find).
 */
@ApplicationScoped
public class WebhookSender {

    private static final Logger LOG = Logger.getLogger(WebhookSender.class);

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "webhook-retries");
        t.setDaemon(true);
        return t;
    });
    private final SimConfig config;

    public WebhookSender(SimConfig config) {
        this.config = config;
    }

    /** Sends a batch (the events one user action causes), in order unless the merchant wants them out of order. */
    CompletableFuture<Void> send(Merchant m, List<ObjectNode> batch) {
        Merchant.Behaviour b = m.behaviour;
        if (b.suppressWebhooks()) {
            LOG.infof("suppressed %d event(s) for %s", batch.size(), m.apiKey);
            return CompletableFuture.completedFuture(null);
        }
        List<ObjectNode> order = new ArrayList<>(batch);
        if (b.outOfOrder()) {
            java.util.Collections.reverse(order);
        }
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (ObjectNode e : order) {
            chain = chain.thenCompose(x -> deliver(m, e, 1));
            if (b.duplicates()) {
                chain = chain.thenCompose(x -> deliver(m, e, 1));
            }
        }
        return chain;
    }

    /** One attempt; on failure schedules the next. Completes when the first attempt is answered (or failed). */
    CompletableFuture<Void> deliver(Merchant m, ObjectNode event, int attempt) {
        String body = event.toString();
        long t = System.currentTimeMillis() / 1000;
        String url = m.webhookUrl;
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json; charset=utf-8")
                .header("Stripe-Signature", signature(body, t, m.webhookSecrets))
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build();
        String id = event.path("id").asText();
        String type = event.path("type").asText();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).handle((r, e) -> {
            int status = e != null ? -1 : r.statusCode();
            m.deliveries.add(new Merchant.Delivery(id, type, attempt, status, System.currentTimeMillis()));
            if (status >= 200 && status < 300) {
                return null;
            }
            if (attempt >= config.webhooks().maxAttempts()) {
                LOG.warnf("giving up on %s %s to %s after %d attempts (last: %s)", type, id, url, attempt,
                        e != null ? e.toString() : status + " " + r.body());
                return null;
            }
            long delay = Math.min(config.webhooks().maxBackoff().toMillis(),
                    config.webhooks().initialBackoff().toMillis() << Math.min(attempt - 1, 20));
            LOG.infof("%s %s to %s: attempt %d got %s; retrying in %d ms", type, id, url, attempt,
                    e != null ? e.toString() : String.valueOf(status), delay);
            retries.schedule(() -> deliver(m, event, attempt + 1), delay, TimeUnit.MILLISECONDS);
            return null;
        });
    }

    static String signature(String body, long t, List<String> secrets) {
        StringBuilder sb = new StringBuilder("t=").append(t);
        for (String secret : secrets) {
            sb.append(",v1=").append(HexFormat.of().formatHex(hmac(secret, t + "." + body)));
        }
        return sb.toString();
    }

    static byte[] hmac(String secret, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }
}
