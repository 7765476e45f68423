package io.continuum.billing.simulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.lang.JoseException;

/**
 * Google Play's side of Real-time developer notifications, for tests and the demo: the Pub/Sub push (an envelope
 * whose {@code message.data} is the base64 {@code DeveloperNotification}, authenticated by a Google-signed OIDC token
 * in {@code Authorization}), the keys that token is checked with ({@code /certs}, a JWKS like Google's), the OAuth
 * token endpoint for the service account ({@code /token}, JWT bearer grant) and the one Play Developer API call
 * billing makes ({@code purchases.subscriptionsv2.get}). Keys: {@code play-store/*.pem} of the simulator's test
 * resources (NOT Google's); {@code signer: forger} signs the push with a key that is not in the JWKS.
 */
@Path("/sim/play-store")
@Produces(MediaType.APPLICATION_JSON)
public class PlayStoreResource {

    /**
     * @param state            a {@code subscriptionState} ({@code SUBSCRIPTION_STATE_ACTIVE}, {@code _CANCELED}, {@code _IN_GRACE_PERIOD},
     *                         {@code _ON_HOLD}, {@code _EXPIRED}, …); stored as the subscription's state before the push
     * @param notificationType RTDN subscription notification type (4 purchased, 2 renewed, 3 canceled, 6 in grace, 13 expired, …);
     *                         {@code voided: true} sends a voided-purchase notification (a refund) instead
     */
    public record Rtdn(String url, String accountId, String productId, String purchaseToken, String state, Long expiresAt,
                       Integer notificationType, Boolean voided, String messageId, Long eventTimeMillis, String audience,
                       String email, String signer, String packageName) {}

    static final String PUSH_KID = "sim-push-1";
    static final String DEFAULT_AUDIENCE = "continuum-billing";
    static final String DEFAULT_EMAIL = "play-rtdn@continuum-local.iam.gserviceaccount.com";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final RSAPrivateCrtKey PUSH_KEY = rsa(Pem.resource("play-store/push-key.pem"));
    private static final RSAPrivateCrtKey FORGER_KEY = rsa(Pem.resource("play-store/forger-key.pem"));
    /** The public half of the test service account's key, which billing signs its token requests with. */
    private static final RSAPublicKey SERVICE_ACCOUNT_KEY = publicKey(rsa(serviceAccountPrivateKey()));
    private final Map<String, ObjectNode> subscriptions = new ConcurrentHashMap<>();
    private final Set<String> issuedTokens = ConcurrentHashMap.newKeySet();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** The keys push tokens are signed with (Google: https://www.googleapis.com/oauth2/v3/certs). */
    @GET
    @Path("/certs")
    public String certs() throws JoseException {
        RsaJsonWebKey jwk = new RsaJsonWebKey(publicKey(PUSH_KEY));
        jwk.setKeyId(PUSH_KID);
        jwk.setAlgorithm(AlgorithmIdentifiers.RSA_USING_SHA256);
        jwk.setUse("sig");
        return new JsonWebKeySet(jwk).toJson();
    }

    /** OAuth 2.0 JWT bearer grant (Google: https://oauth2.googleapis.com/token); the assertion must be well signed. */
    @POST
    @Path("/token")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response token(@FormParam("grant_type") String grant, @FormParam("assertion") String assertion) {
        if (!"urn:ietf:params:oauth:grant-type:jwt-bearer".equals(grant) || assertion == null) {
            return Response.status(400).entity(Map.of("error", "invalid_grant")).build();
        }
        try {
            // the simulator checks the assertion against the public half of its test service-account key
            JwtClaims c = new JwtConsumerBuilder().setSkipDefaultAudienceValidation().setRequireExpirationTime()
                    .setVerificationKey(SERVICE_ACCOUNT_KEY).build().processToClaims(assertion);
            if (!String.valueOf(c.getClaimValue("scope")).contains("androidpublisher")) {
                return Response.status(400).entity(Map.of("error", "invalid_scope")).build();
            }
        } catch (Exception e) {
            return Response.status(400).entity(Map.of("error", "invalid_grant", "error_description", e.getMessage())).build();
        }
        String token = "ya29.sim-" + UUID.randomUUID();
        issuedTokens.add(token);
        return Response.ok(Map.of("access_token", token, "expires_in", 3600, "token_type", "Bearer")).build();
    }

    /** {@code purchases.subscriptionsv2.get}: the subscription's current state, for a token from {@link #token}. */
    @GET
    @Path("/androidpublisher/v3/applications/{pkg}/purchases/subscriptionsv2/tokens/{token}")
    public Response subscription(@HeaderParam("Authorization") String auth, @PathParam("pkg") String pkg,
                                 @PathParam("token") String token) {
        if (auth == null || !issuedTokens.contains(auth.replaceFirst("^Bearer ", ""))) {
            return Response.status(401).entity(Map.of("error", Map.of("code", 401, "status", "UNAUTHENTICATED"))).build();
        }
        ObjectNode s = subscriptions.get(token);
        return s == null ? Response.status(404).entity(Map.of("error", Map.of("code", 404, "status", "NOT_FOUND"))).build()
                : Response.ok(s).build();
    }

    /** Sets the subscription's state, then pushes the notification to {@code url}; answers the endpoint's status. */
    @POST
    @Path("/rtdn")
    @Consumes(MediaType.APPLICATION_JSON)
    public Map<String, Object> rtdn(Rtdn r) throws IOException, InterruptedException, JoseException {
        if (r == null || r.url() == null || r.accountId() == null || r.productId() == null) {
            throw new BadRequestException("url, accountId and productId are required");
        }
        String token = r.purchaseToken() == null ? "sim-token-" + UUID.randomUUID() : r.purchaseToken();
        String pkg = r.packageName() == null ? "io.continuum.app" : r.packageName();
        long now = System.currentTimeMillis();
        ObjectNode sub = JSON.createObjectNode().put("kind", "androidpublisher#subscriptionPurchaseV2")
                .put("subscriptionState", r.state() == null ? "SUBSCRIPTION_STATE_ACTIVE" : r.state())
                .put("startTime", Instant.ofEpochMilli(now).toString()).put("latestOrderId", "GPA.sim-" + (now % 100_000));
        sub.putObject("externalAccountIdentifiers").put("obfuscatedExternalAccountId", r.accountId());
        sub.putArray("lineItems").addObject().put("productId", r.productId())
                .put("expiryTime", Instant.ofEpochMilli(r.expiresAt() == null ? now + Duration.ofDays(30).toMillis() : r.expiresAt()).toString());
        subscriptions.put(token, sub);

        long eventTime = r.eventTimeMillis() == null ? now : r.eventTimeMillis();
        ObjectNode dn = JSON.createObjectNode().put("version", "1.0").put("packageName", pkg).put("eventTimeMillis", String.valueOf(eventTime));
        if (Boolean.TRUE.equals(r.voided())) {
            dn.putObject("voidedPurchaseNotification").put("purchaseToken", token).put("orderId", sub.path("latestOrderId").asText())
                    .put("productType", 1).put("refundType", 1);
        } else {
            dn.putObject("subscriptionNotification").put("version", "1.0")
                    .put("notificationType", r.notificationType() == null ? 4 : r.notificationType())
                    .put("purchaseToken", token).put("subscriptionId", r.productId());
        }
        String messageId = r.messageId() == null ? String.valueOf(Math.abs(UUID.randomUUID().getMostSignificantBits())) : r.messageId();
        ObjectNode envelope = JSON.createObjectNode().put("subscription", "projects/continuum-local/subscriptions/play-rtdn");
        envelope.putObject("message").put("messageId", messageId).put("publishTime", Instant.ofEpochMilli(now).toString())
                .put("data", Base64.getEncoder().encodeToString(dn.toString().getBytes(StandardCharsets.UTF_8)));

        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(r.url())).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(envelope.toString()));
        if (!"none".equals(r.signer())) {
            req.header("Authorization", "Bearer " + pushToken(r));
        }
        HttpResponse<String> res = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
        return Map.of("status", res.statusCode(), "body", res.body(), "purchaseToken", token, "messageId", messageId);
    }

    /** The OIDC token Pub/Sub puts on a push (Google-signed; here the simulator's push key, or the forger's). */
    private static String pushToken(Rtdn r) throws JoseException {
        JwtClaims c = new JwtClaims();
        c.setIssuer("https://accounts.google.com");
        c.setAudience(r.audience() == null ? DEFAULT_AUDIENCE : r.audience());
        c.setIssuedAtToNow();
        c.setExpirationTimeMinutesInTheFuture(60);
        c.setSubject("112233445566778899");
        c.setClaim("email", r.email() == null ? DEFAULT_EMAIL : r.email());
        c.setClaim("email_verified", true);
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(c.toJson());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        jws.setKeyIdHeaderValue(PUSH_KID);
        jws.setKey("forger".equals(r.signer()) ? FORGER_KEY : PUSH_KEY);
        return jws.getCompactSerialization();
    }

    private static RSAPrivateCrtKey rsa(String pem) {
        return (RSAPrivateCrtKey) Pem.privateKey(pem, "RSA");
    }

    private static String serviceAccountPrivateKey() {
        try {
            return JSON.readTree(Pem.resource("play-store/service-account.json")).path("private_key").asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static RSAPublicKey publicKey(RSAPrivateCrtKey k) {
        try {
            return (RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(k.getModulus(), k.getPublicExponent()));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
