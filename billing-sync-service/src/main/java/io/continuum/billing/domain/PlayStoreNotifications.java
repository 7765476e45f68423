package io.continuum.billing.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.continuum.billing.config.BillingConfig;
import io.continuum.billing.provider.GooglePlay;
import io.continuum.billing.provider.ProviderSubscription;
import io.continuum.platform.problem.Problem;
import io.continuum.platform.problem.ProblemException;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.keys.resolvers.JwksVerificationKeyResolver;

/**
 * Google Play Real-time developer notifications ({@code POST /api/billing/webhooks/play_store}): a Pub/Sub push.
 * Authenticated as Google documents it: the {@code Authorization: Bearer} OIDC token must be RS256-signed by one of
 * Google's keys (JWKS, refetched once for an unknown key), issued by {@code accounts.google.com}, for the configured
 * audience, not expired, with {@code email} = the push subscription's service account (verified). The notification
 * carries no state, so the subscription is read from the Play Developer API ({@code purchases.subscriptionsv2.get})
 * before the transaction; then, as for the other stores, in ONE transaction the Pub/Sub {@code messageId} is marked
 * processed, the effect applied and the notification stored (a redelivered message is {@code duplicate}).
 *
 * <p>Mapping (docs/billing.md): subscription = the purchase token; account = {@code obfuscatedExternalAccountId} (the
 * app sets it to the account id when it launches the purchase); plan = the catalog plan whose
 * {@code storeProductIds.play_store} is the line item's product; period end = its {@code expiryTime}; order =
 * {@code eventTimeMillis}. {@code ACTIVE} → active, {@code CANCELED} → active until period end, {@code IN_GRACE_PERIOD},
 * {@code ON_HOLD}, {@code PAUSED} → past_due, {@code EXPIRED} → expired; a voided purchase (refund) revokes at once.
 */
@ApplicationScoped
public class PlayStoreNotifications {

    public static final String STORE = "play_store";
    private static final Logger LOG = Logger.getLogger(PlayStoreNotifications.class);

    private record Push(String messageId, JsonNode notification) {}

    private static final String TITLE = "Invalid Play notification";

    private final BillingConfig.PlayStore config;
    private final GooglePlay google;
    private final WebhookLog log;
    private final SubscriptionService subscriptions;
    private final Catalog catalog;
    private final ObjectMapper mapper;

    public PlayStoreNotifications(BillingConfig config, GooglePlay google, WebhookLog log, SubscriptionService subscriptions,
                                  Catalog catalog, ObjectMapper mapper) {
        this.config = config.playStore();
        this.google = google;
        this.log = log;
        this.subscriptions = subscriptions;
        this.catalog = catalog;
        this.mapper = mapper;
    }

    public Uni<WebhookLog.Outcome> handle(String authorization, byte[] body) {
        if (!google.configured()) {
            throw new ProblemException(501, "store-not-configured", "Play notifications not configured",
                    "no Play service-account key is configured (continuum.billing.play-store.service-account-key); nothing was stored", null);
        }
        String token = authorization == null || !authorization.startsWith("Bearer ") ? null : authorization.substring(7).trim();
        if (token == null || token.isEmpty()) {
            return refused(bad("Authorization", "a Bearer token (the push subscription's OIDC token) is required"));
        }
        return unavailableIfFailed(google.signingKeys(false)).map(keys -> verify(token, keys, true))
                .onFailure(UnknownKey.class).recoverWithUni(() -> unavailableIfFailed(google.signingKeys(true)).map(keys -> verify(token, keys, false)))
                .onFailure(ProblemException.class).invoke(e -> {
                    log.counted(STORE, "bad-signature");
                    LOG.warnf("play_store notification refused: %s", e.getMessage());
                })
                .map(claims -> push(body))
                .chain(this::apply);
    }

    private Uni<WebhookLog.Outcome> apply(Push push) {
        JsonNode n = push.notification();
        JsonNode eventTime = n.get("eventTimeMillis");
        long version = eventTime == null ? 0 : eventTime.asLong(0);
        if (version <= 0) {
            throw field("message.data.eventTimeMillis", "must be a time in milliseconds");
        }
        JsonNode sub = n.path("subscriptionNotification");
        JsonNode voided = n.path("voidedPurchaseNotification");
        String purchaseToken = sub.isObject() ? sub.path("purchaseToken").asText(null)
                : voided.isObject() ? voided.path("purchaseToken").asText(null) : null;
        String type = sub.isObject() ? "subscription." + sub.path("notificationType").asInt()
                : voided.isObject() ? "voided" : n.has("testNotification") ? "test" : "other";
        // the state is read before the transaction: no database connection waits on Google
        Uni<Optional<JsonNode>> state = purchaseToken == null ? Uni.createFrom().item(Optional.empty())
                : unavailableIfFailed(google.subscription(purchaseToken)).map(Optional::of);
        return state.chain(s -> log.once(STORE, push.messageId(), type, version, n.toString(),
                () -> s.isEmpty() ? Uni.createFrom().item("ignored") : applyState(purchaseToken, s.get(), version, voided.isObject())));
    }

    private Uni<String> applyState(String purchaseToken, JsonNode s, long version, boolean voided) {
        JsonNode item = s.path("lineItems").path(0);
        Optional<Catalog.Plan> plan = catalog.planInStore(STORE, item.path("productId").asText(null));
        if (plan.isEmpty()) {
            LOG.warnf("play_store purchase %s: product %s is not in the catalog (storeProductIds.play_store); ignored",
                    purchaseToken, item.path("productId").asText(null));
            return Uni.createFrom().item("ignored");
        }
        String state = s.path("subscriptionState").asText("");
        String providerStatus = switch (state) {
            case "SUBSCRIPTION_STATE_ACTIVE", "SUBSCRIPTION_STATE_CANCELED" -> "active";
            case "SUBSCRIPTION_STATE_IN_GRACE_PERIOD", "SUBSCRIPTION_STATE_ON_HOLD", "SUBSCRIPTION_STATE_PAUSED" -> "past_due";
            case "SUBSCRIPTION_STATE_EXPIRED" -> "canceled";
            default -> "incomplete";
        };
        ProviderSubscription p = new ProviderSubscription(purchaseToken, null,
                s.path("externalAccountIdentifiers").path("obfuscatedExternalAccountId").asText(null), plan.get().id(), providerStatus,
                time(s.path("startTime").asText(null)), time(item.path("expiryTime").asText(null)),
                "SUBSCRIPTION_STATE_CANCELED".equals(state));
        Uni<SubscriptionService.Result> applied = subscriptions.applyProviderState(STORE, p, version, "webhook");
        if (voided) {
            applied = applied.chain(r -> r == SubscriptionService.Result.IGNORED ? Uni.createFrom().item(r)
                    : subscriptions.revokeStored(STORE, purchaseToken, version, "refunded"));
        }
        return applied.map(SubscriptionService.Result::outcome);
    }

    /** A key the cached JWKS does not hold: fetch Google's keys again (they rotate) before refusing. */
    private static final class UnknownKey extends RuntimeException {
        UnknownKey() {
            super(null, null, false, false);
        }
    }

    private JwtClaims verify(String token, JsonWebKeySet keys, boolean mayRefetchKeys) {
        try {
            JwtClaims c = new JwtConsumerBuilder().setRequireExpirationTime().setAllowedClockSkewInSeconds(30)
                    .setExpectedIssuers(true, "https://accounts.google.com", "accounts.google.com")
                    .setExpectedAudience(config.audience())
                    .setJwsAlgorithmConstraints(new AlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT,
                            AlgorithmIdentifiers.RSA_USING_SHA256))
                    .setVerificationKeyResolver(new JwksVerificationKeyResolver(keys.getJsonWebKeys()))
                    .build().processToClaims(token);
            if (!config.pushServiceAccount().equals(c.getClaimValue("email"))
                    || !Boolean.TRUE.equals(c.getClaimValue("email_verified"))) {
                throw bad("Authorization", "the token is not the push subscription's service account ("
                        + c.getClaimValue("email") + ")");
            }
            return c;
        } catch (InvalidJwtException e) {
            if (mayRefetchKeys && e.getMessage() != null && e.getMessage().contains("Unable to find a suitable verification key")) {
                throw new UnknownKey();
            }
            throw bad("Authorization", "the push token is not valid: " + e.getMessage());
        }
    }

    private Push push(byte[] body) {
        JsonNode envelope = WebhookLog.object(mapper, body, TITLE);
        String messageId = envelope.path("message").path("messageId").asText(null);
        if (messageId == null || messageId.isBlank()) {
            throw field("message.messageId", "is required");
        }
        JsonNode n;
        try {
            n = mapper.readTree(Base64.getDecoder().decode(envelope.path("message").path("data").asText("")));
        } catch (IllegalArgumentException | IOException e) {
            throw field("message.data", "must be the base64 of a DeveloperNotification");
        }
        if (n == null || !n.isObject()) {
            throw field("message.data", "must be the base64 of a DeveloperNotification");
        }
        if (!config.packageName().equals(n.path("packageName").asText(null))) {
            throw field("message.data.packageName", "is " + n.path("packageName").asText(null) + ", this service is for " + config.packageName());
        }
        return new Push(messageId, n);
    }

    /** Google unreachable or failing: 503, so that Pub/Sub delivers the message again later. */
    private static <T> Uni<T> unavailableIfFailed(Uni<T> call) {
        return call.onFailure(e -> !(e instanceof ProblemException)).transform(e -> {
            LOG.warnf("play_store: Google's API failed: %s", e.getMessage());
            return new ProblemException(503, "store-unavailable", "Play API unavailable",
                    "Google's API could not be reached or failed; nothing was stored, deliver again later", null);
        });
    }

    private <T> Uni<T> refused(ProblemException e) {
        log.counted(STORE, "bad-signature");
        LOG.warnf("play_store notification refused: %s", e.getMessage());
        return Uni.createFrom().failure(e);
    }

    private static ProblemException bad(String field, String message) {
        return new ProblemException(400, "bad-signature", "Invalid Play push authentication", field + ": " + message,
                List.of(new Problem.FieldError(field, message)));
    }

    private static ProblemException field(String name, String message) {
        return WebhookLog.field(TITLE, name, message);
    }

    private static Instant time(String rfc3339) {
        try {
            return rfc3339 == null ? null : Instant.parse(rfc3339);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
