package io.continuum.billing.simulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.lang.JoseException;

/**
 * The App Store's side of App Store Server Notifications v2, for tests and the demo: builds a notification (with its
 * {@code signedTransactionInfo} and {@code signedRenewalInfo}), signs each part as Apple does (ES256, the certificate
 * chain in {@code x5c}) with the simulator's test PKI ({@code app-store/*.pem}: a root, an intermediate with Apple's
 * WWDR marker, a signer with the App Store marker; NOT Apple's keys), and either answers the body Apple would POST
 * ({@code /sign}) or posts it to {@code url} ({@code /send}). {@code chain} picks the signer: {@code apple} (the test
 * root's chain, what billing-sync-service trusts locally), {@code unmarked} (same root, signer without the marker) or
 * {@code untrusted} (another root) — the last two for tests of refusals.
 */
@Path("/sim/app-store/notifications")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class AppStoreResource {

    /**
     * @param notificationType e.g. SUBSCRIBED, DID_RENEW, DID_FAIL_TO_RENEW, EXPIRED, REFUND
     * @param status           {@code data.status}: 1 active, 2 expired, 3 billing retry, 4 grace period, 5 revoked
     * @param accountId        becomes the transaction's {@code appAccountToken}
     * @param expiresAt        ms since the epoch (default: in 30 days)
     * @param signedDate       ms since the epoch (default: now); orders the changes of one subscription
     */
    public record Notification(String notificationType, String subtype, Integer status, String accountId, String productId,
                               String originalTransactionId, Long expiresAt, Boolean autoRenew, String bundleId,
                               String notificationUUID, Long signedDate, String chain, String url) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, Signer> SIGNERS = Map.of(
            "apple", Signer.load("leaf", "intermediate", "root"),
            "unmarked", Signer.load("leaf-unmarked", "intermediate", "root"),
            "untrusted", Signer.load("untrusted-leaf", "untrusted-intermediate", "untrusted-root"));
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** The body Apple would POST: {@code {"signedPayload": …}}. */
    @POST
    @Path("/sign")
    public Map<String, String> sign(Notification n) {
        return Map.of("signedPayload", signedPayload(n));
    }

    /** Posts the signed notification to {@code url}; answers the endpoint's status and body. */
    @POST
    @Path("/send")
    public Map<String, Object> send(Notification n) throws IOException, InterruptedException {
        if (n == null || n.url() == null) {
            throw new BadRequestException("url is required");
        }
        String body = JSON.writeValueAsString(Map.of("signedPayload", signedPayload(n)));
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(n.url())).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        return Map.of("status", r.statusCode(), "body", r.body());
    }

    static String signedPayload(Notification n) {
        if (n == null || n.notificationType() == null || n.accountId() == null || n.productId() == null) {
            throw new BadRequestException("notificationType, accountId and productId are required");
        }
        Signer signer = SIGNERS.get(n.chain() == null ? "apple" : n.chain());
        if (signer == null) {
            throw new BadRequestException("chain: apple, unmarked or untrusted");
        }
        long now = System.currentTimeMillis();
        long signedDate = n.signedDate() == null ? now : n.signedDate();
        String original = n.originalTransactionId() == null ? "2000000" + (now % 100_000_000) : n.originalTransactionId();
        String bundle = n.bundleId() == null ? "io.continuum.app" : n.bundleId();
        ObjectNode tx = JSON.createObjectNode().put("transactionId", original + "-" + (signedDate % 100_000))
                .put("originalTransactionId", original).put("bundleId", bundle).put("productId", n.productId())
                .put("purchaseDate", now).put("originalPurchaseDate", now)
                .put("expiresDate", n.expiresAt() == null ? now + Duration.ofDays(30).toMillis() : n.expiresAt())
                .put("type", "Auto-Renewable Subscription").put("appAccountToken", n.accountId())
                .put("environment", "Sandbox").put("signedDate", signedDate);
        ObjectNode renewal = JSON.createObjectNode().put("originalTransactionId", original).put("autoRenewProductId", n.productId())
                .put("productId", n.productId()).put("autoRenewStatus", Boolean.FALSE.equals(n.autoRenew()) ? 0 : 1)
                .put("environment", "Sandbox").put("signedDate", signedDate);
        ObjectNode data = JSON.createObjectNode().put("bundleId", bundle).put("environment", "Sandbox")
                .put("status", n.status() == null ? 1 : n.status())
                .put("signedTransactionInfo", signer.sign(tx.toString()))
                .put("signedRenewalInfo", signer.sign(renewal.toString()));
        ObjectNode notification = JSON.createObjectNode().put("notificationType", n.notificationType())
                .put("notificationUUID", n.notificationUUID() == null ? UUID.randomUUID().toString() : n.notificationUUID())
                .put("version", "2.0").put("signedDate", signedDate);
        if (n.subtype() != null) {
            notification.put("subtype", n.subtype());
        }
        notification.set("data", data);
        return signer.sign(notification.toString());
    }

    /** A signing key and the chain that vouches for it (signer first, root last, as in {@code x5c}). */
    record Signer(PrivateKey key, X509Certificate[] chain) {

        static Signer load(String leaf, String intermediate, String root) {
            PrivateKey key = Pem.privateKey(Pem.resource("app-store/" + leaf + "-key.pem"), "EC");
            X509Certificate[] chain = {Pem.certificate("app-store/" + leaf + ".pem"),
                    Pem.certificate("app-store/" + intermediate + ".pem"), Pem.certificate("app-store/" + root + ".pem")};
            return new Signer(key, chain);
        }

        String sign(String payload) {
            try {
                JsonWebSignature jws = new JsonWebSignature();
                jws.setPayload(payload);
                jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256);
                jws.setCertificateChainHeaderValue(chain);
                jws.setKey(key);
                return jws.getCompactSerialization();
            } catch (JoseException e) {
                throw new IllegalStateException("cannot sign: " + e.getMessage(), e);
            }
        }
    }
}
