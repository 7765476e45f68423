package io.continuum.auth.keycloak;

import io.continuum.auth.config.AuthConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Map;
import org.jboss.logging.Logger;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.HttpsJwks;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.keys.resolvers.HttpsJwksVerificationKeyResolver;

/**
 * Validates an OIDC Back-Channel Logout token as section 2.6 of the spec prescribes: signature against the realm's
 * published keys (asymmetric algorithms only, never {@code none}), {@code iss}, {@code aud}, {@code iat} (not older
 * than the configured age), {@code jti} present, the {@code events} claim holding the back-channel-logout member,
 * {@code sid} and/or {@code sub} present, and no {@code nonce}. The {@code jti} replay check is the caller's (it is
 * shared across replicas through the database). Blocking (the key set is fetched over HTTP when a key is unknown):
 * call it off the event loop.
 */
@ApplicationScoped
public class LogoutTokenVerifier {

    public static final String BACKCHANNEL_EVENT = "http://schemas.openid.net/event/backchannel-logout";
    private static final Logger LOG = Logger.getLogger(LogoutTokenVerifier.class);

    /** What a valid logout token says. */
    public record LogoutToken(String jti, String subject, String sessionId, Instant issuedAt) {}

    public static final class InvalidLogoutToken extends Exception {
        public InvalidLogoutToken(String reason) {
            super(reason);
        }
    }

    private final JwtConsumer consumer;

    public LogoutTokenVerifier(AuthConfig config) {
        AuthConfig.Backchannel bc = config.backchannel();
        String issuer = bc.issuer();
        HttpsJwks jwks = new HttpsJwks(issuer + "/protocol/openid-connect/certs");
        jwks.setRetainCacheOnErrorDuration(60);
        this.consumer = new JwtConsumerBuilder()
                .setVerificationKeyResolver(new HttpsJwksVerificationKeyResolver(jwks))
                .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT,
                        AlgorithmIdentifiers.RSA_USING_SHA256, AlgorithmIdentifiers.RSA_USING_SHA384,
                        AlgorithmIdentifiers.RSA_USING_SHA512, AlgorithmIdentifiers.RSA_PSS_USING_SHA256,
                        AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256,
                        AlgorithmIdentifiers.ECDSA_USING_P384_CURVE_AND_SHA384)
                .setExpectedIssuer(true, issuer)
                .setExpectedAudience(true, bc.audience().toArray(String[]::new))
                .setRequireIssuedAt()
                .setIssuedAtRestrictions((int) bc.clockSkew().toSeconds(), (int) bc.maxAge().toSeconds())
                .setRequireJwtId()
                .setAllowedClockSkewInSeconds((int) bc.clockSkew().toSeconds())
                .build();
    }

    public LogoutToken verify(String token) throws InvalidLogoutToken {
        if (token == null || token.isBlank()) {
            throw new InvalidLogoutToken("missing");
        }
        JwtClaims claims;
        try {
            claims = consumer.processToClaims(token);
        } catch (InvalidJwtException e) {
            LOG.debugf("logout token refused: %s", e.getMessage());
            throw new InvalidLogoutToken("signature or standard claims");
        }
        try {
            Object events = claims.getClaimValue("events");
            if (!(events instanceof Map<?, ?> map) || !map.containsKey(BACKCHANNEL_EVENT)
                    || !(map.get(BACKCHANNEL_EVENT) instanceof Map<?, ?>)) {
                throw new InvalidLogoutToken("events claim without " + BACKCHANNEL_EVENT);
            }
            if (claims.hasClaim("nonce")) {
                throw new InvalidLogoutToken("nonce present");
            }
            String sid = claims.getStringClaimValue("sid");
            String sub = claims.getSubject();
            if (isBlank(sid) && isBlank(sub)) {
                throw new InvalidLogoutToken("neither sid nor sub");
            }
            return new LogoutToken(claims.getJwtId(), blankToNull(sub), blankToNull(sid),
                    Instant.ofEpochSecond(claims.getIssuedAt().getValue()));
        } catch (MalformedClaimException e) {
            throw new InvalidLogoutToken("malformed claim");
        }
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    private static String blankToNull(String s) {
        return isBlank(s) ? null : s;
    }
}
