package io.continuum.billing.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.continuum.billing.config.BillingConfig;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedHashMap;
import jakarta.ws.rs.core.MultivaluedMap;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.lang.JoseException;

/**
 * The Google endpoints billing calls for Play: the OIDC signing keys (JWKS, to check Pub/Sub push tokens), the OAuth
 * token endpoint (JWT bearer grant with the service-account key; the access token is cached until a minute before it
 * expires) and {@code purchases.subscriptionsv2.get}. Reactive REST clients built from the configured URLs.
 *
 * <p>The service-account key file is read and parsed once, when the bean is created at startup ({@link Startup}: on
 * the main thread), never when a token is renewed: that happens on a Vert.x event loop, where file I/O would block
 * it. A key that cannot be read or parsed is logged at startup and fails every token request (a failed {@link Uni},
 * which {@code PlayStoreNotifications} answers 503); the rest of billing keeps working. A new key needs a restart.
 */
@Startup
@ApplicationScoped
public class GooglePlay {

    private static final Logger LOG = Logger.getLogger(GooglePlay.class);
    private static final String KEY_PROPERTY = "continuum.billing.play-store.service-account-key";

    @Path("")
    public interface Keys {
        @GET
        @jakarta.ws.rs.Produces(MediaType.APPLICATION_JSON)
        Uni<String> get();
    }

    @Path("")
    public interface Token {
        @POST
        @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
        Uni<JsonNode> grant(MultivaluedMap<String, String> form);
    }

    @Path("/androidpublisher/v3/applications/{pkg}/purchases/subscriptionsv2/tokens/{token}")
    public interface Subscriptions {
        @GET
        Uni<JsonNode> get(@HeaderParam("Authorization") String auth, @PathParam("pkg") String pkg, @PathParam("token") String token);
    }

    private record Cached<T>(T value, Instant until) {}

    /** What the token request needs of a Google service-account key file (JSON). */
    record ServiceAccount(String email, String keyId, PrivateKey key) {

        /** Reads and parses {@code file}; anything unusable is an {@link IllegalStateException} naming the file. */
        static ServiceAccount read(java.nio.file.Path file, ObjectMapper mapper) {
            String what = KEY_PROPERTY + " " + file;
            JsonNode json;
            try {
                json = mapper.readTree(Files.readAllBytes(file));
            } catch (IOException e) {
                throw new IllegalStateException(what + " cannot be read: " + e, e);
            }
            String email = json == null ? null : json.path("client_email").asText(null);
            String pem = json == null ? null : json.path("private_key").asText(null);
            if (email == null || pem == null) {
                throw new IllegalStateException(what + " is not a service-account key: client_email and private_key are required");
            }
            try {
                byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
                PrivateKey key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
                return new ServiceAccount(email, json.path("private_key_id").asText(null), key);
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                throw new IllegalStateException(what + ": private_key is not a PKCS#8 RSA key: " + e.getMessage(), e);
            }
        }
    }

    private final BillingConfig.PlayStore config;
    /** The service account, read once at construction: an item, or the failure every token request fails with. */
    private final Uni<ServiceAccount> account;
    private volatile Keys keys;
    private volatile Token token;
    private volatile Subscriptions subscriptions;
    private volatile Cached<JsonWebKeySet> jwks;
    private volatile Cached<String> accessToken;

    public GooglePlay(BillingConfig config, ObjectMapper mapper) {
        this.config = config.playStore();
        this.account = this.config.serviceAccountKey().map(file -> read(file, mapper))
                .orElseGet(() -> Uni.createFrom().failure(new IllegalStateException(KEY_PROPERTY + " is not set")));
    }

    private static Uni<ServiceAccount> read(String file, ObjectMapper mapper) {
        try {
            return Uni.createFrom().item(ServiceAccount.read(java.nio.file.Path.of(file), mapper));
        } catch (IllegalStateException e) {
            LOG.errorf("%s; Play notifications are answered 503 until it is fixed and billing-sync-service restarted", e.getMessage());
            return Uni.createFrom().failure(e);
        }
    }

    public boolean configured() {
        return config.serviceAccountKey().isPresent();
    }

    /** Google's signing keys, cached for an hour; {@code refresh} fetches them again (a token names an unknown key). */
    public Uni<JsonWebKeySet> signingKeys(boolean refresh) {
        Cached<JsonWebKeySet> c = jwks;
        if (!refresh && c != null && c.until().isAfter(Instant.now())) {
            return Uni.createFrom().item(c.value());
        }
        if (keys == null) {
            keys = client(Keys.class, config.jwksUrl());
        }
        return keys.get().map(json -> {
            try {
                JsonWebKeySet set = new JsonWebKeySet(json);
                jwks = new Cached<>(set, Instant.now().plus(Duration.ofHours(1)));
                return set;
            } catch (JoseException e) {
                throw new IllegalStateException("Google's JWKS at " + config.jwksUrl() + " is unreadable: " + e.getMessage(), e);
            }
        });
    }

    /** {@code purchases.subscriptionsv2.get} of {@code purchaseToken}; any failure is a failed {@link Uni}. */
    public Uni<JsonNode> subscription(String purchaseToken) {
        return accessToken().chain(t -> {
            if (subscriptions == null) {
                subscriptions = client(Subscriptions.class, config.apiUrl());
            }
            return subscriptions.get("Bearer " + t, config.packageName(), purchaseToken);
        });
    }

    private Uni<String> accessToken() {
        Cached<String> c = accessToken;
        if (c != null && c.until().isAfter(Instant.now())) {
            return Uni.createFrom().item(c.value());
        }
        return assertion().chain(assertion -> {
            MultivaluedMap<String, String> form = new MultivaluedHashMap<>();
            form.add("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer");
            form.add("assertion", assertion);
            if (token == null) {
                token = client(Token.class, config.tokenUrl());
            }
            return token.grant(form);
        }).map(answer -> {
            String value = answer.path("access_token").asText(null);
            if (value == null) {
                throw new IllegalStateException("Google's token endpoint gave no access_token");
            }
            accessToken = new Cached<>(value, Instant.now().plusSeconds(Math.max(60, answer.path("expires_in").asLong(3600) - 60)));
            return value;
        });
    }

    /** The service account's signed request for an access token (RFC 7523), scope androidpublisher; no I/O. */
    Uni<String> assertion() {
        return account.map(a -> {
            JwtClaims c = new JwtClaims();
            c.setIssuer(a.email());
            c.setAudience(config.tokenUrl());
            c.setClaim("scope", "https://www.googleapis.com/auth/androidpublisher");
            c.setIssuedAtToNow();
            c.setExpirationTimeMinutesInTheFuture(60);
            JsonWebSignature jws = new JsonWebSignature();
            jws.setPayload(c.toJson());
            jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
            jws.setKeyIdHeaderValue(a.keyId());
            jws.setKey(a.key());
            try {
                return jws.getCompactSerialization();
            } catch (JoseException e) {
                throw new IllegalStateException("the Play service-account key cannot sign: " + e.getMessage(), e);
            }
        });
    }

    private <T> T client(Class<T> type, String url) {
        return QuarkusRestClientBuilder.newBuilder().baseUri(URI.create(url))
                .connectTimeout(2, TimeUnit.SECONDS).readTimeout(5, TimeUnit.SECONDS).build(type);
    }
}
