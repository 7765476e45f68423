package io.continuum.billing.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.continuum.billing.config.BillingConfig;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
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
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;

import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.lang.JoseException;

/**
 * The Google endpoints billing calls for Play: the OIDC signing keys (JWKS, to check Pub/Sub push tokens), the OAuth
 * token endpoint (JWT bearer grant with the service-account key; the access token is cached until a minute before it
 * expires) and {@code purchases.subscriptionsv2.get}. Reactive REST clients built from the configured URLs.
 */
@ApplicationScoped
public class GooglePlay {

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

    private final BillingConfig.PlayStore config;
    private final ObjectMapper mapper;
    private volatile Keys keys;
    private volatile Token token;
    private volatile Subscriptions subscriptions;
    private volatile Cached<JsonWebKeySet> jwks;
    private volatile Cached<String> accessToken;

    public GooglePlay(BillingConfig config, ObjectMapper mapper) {
        this.config = config.playStore();
        this.mapper = mapper;
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

    /** {@code purchases.subscriptionsv2.get} of {@code purchaseToken}. */
    public Uni<JsonNode> subscription(String purchaseToken) {
        if (subscriptions == null) {
            subscriptions = client(Subscriptions.class, config.apiUrl());
        }
        return accessToken().chain(t -> subscriptions.get("Bearer " + t, config.packageName(), purchaseToken));
    }

    private Uni<String> accessToken() {
        Cached<String> c = accessToken;
        if (c != null && c.until().isAfter(Instant.now())) {
            return Uni.createFrom().item(c.value());
        }
        MultivaluedMap<String, String> form = new MultivaluedHashMap<>();
        form.add("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer");
        form.add("assertion", assertion());
        if (token == null) {
            token = client(Token.class, config.tokenUrl());
        }
        return token.grant(form).map(answer -> {
            String value = answer.path("access_token").asText(null);
            if (value == null) {
                throw new IllegalStateException("Google's token endpoint gave no access_token");
            }
            accessToken = new Cached<>(value, Instant.now().plusSeconds(Math.max(60, answer.path("expires_in").asLong(3600) - 60)));
            return value;
        });
    }

    /** The service account's signed request for an access token (RFC 7523), scope androidpublisher. */
    private String assertion() {
        try {
            JsonNode key = mapper.readTree(Files.readAllBytes(java.nio.file.Path.of(config.serviceAccountKey().orElseThrow())));
            byte[] der = Base64.getMimeDecoder().decode(key.path("private_key").asText().replaceAll("-----[A-Z ]+-----", ""));
            PrivateKey privateKey = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
            JwtClaims c = new JwtClaims();
            c.setIssuer(key.path("client_email").asText());
            c.setAudience(config.tokenUrl());
            c.setClaim("scope", "https://www.googleapis.com/auth/androidpublisher");
            c.setIssuedAtToNow();
            c.setExpirationTimeMinutesInTheFuture(60);
            JsonWebSignature jws = new JsonWebSignature();
            jws.setPayload(c.toJson());
            jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
            jws.setKeyIdHeaderValue(key.path("private_key_id").asText(null));
            jws.setKey(privateKey);
            return jws.getCompactSerialization();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the Play service-account key", e);
        } catch (java.security.GeneralSecurityException | JoseException e) {
            throw new IllegalStateException("the Play service-account key is unusable: " + e.getMessage(), e);
        }
    }

    private <T> T client(Class<T> type, String url) {
        return QuarkusRestClientBuilder.newBuilder().baseUri(URI.create(url))
                .connectTimeout(2, TimeUnit.SECONDS).readTimeout(5, TimeUnit.SECONDS).build(type);
    }
}
