package io.continuum.platform.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Bearer tokens this replica has already verified, with the identity quarkus-oidc built for them, until the token's
 * {@code exp}. The profile of the resume read (docs/benchmarks.md) put a third of a request's CPU in verifying the
 * same token again and again: the RSA signature, base64url and jose4j's JSON parse of the claims. A device sends one
 * access token for its whole lifetime (5 min), so almost every request after the first is a hit.
 *
 * <p>What it must never do:
 * <ul>
 * <li><b>Accept a token that was not verified.</b> The key is the whole token text, compared with {@code equals}: a
 *     token differing in any byte (another signature, a changed claim, a prefix) is another key, so it misses and
 *     goes through full verification. An entry is only added after quarkus-oidc accepted the token.</li>
 * <li><b>Outlive the token.</b> An entry is never served at or after the token's {@code exp} (checked on every read,
 *     not only by the cache's own expiry); the token then goes back to full verification, which refuses it.</li>
 * <li><b>Skip revocation.</b> Only the verification is cached: the identity still runs through every
 *     {@link io.quarkus.security.identity.SecurityIdentityAugmentor} on every request, so a revoked session
 *     ({@link io.continuum.platform.revocation.RevokedSessionAugmentor}) or a service account
 *     ({@link UserTokenAugmentor}) is refused whether or not its token is cached.</li>
 * </ul>
 * A signing key removed from the realm does not evict tokens it signed: they stay accepted until their {@code exp}
 * (at most the access-token lifespan), as they would be by a replica that had fetched the key set before.
 *
 * <p>Metrics: {@code continuum.security.verified.tokens{result=hit|miss}} (a miss includes an entry found past its
 * {@code exp}) and the gauge {@code continuum.security.verified.tokens.cached}.
 */
@ApplicationScoped
public class VerifiedTokens {

    private record Verified(SecurityIdentity identity, long expiresAtMillis) {
    }

    private final boolean enabled;
    private final LongSupplier nowMillis;
    private final Cache<String, Verified> cache;
    private final Counter hits;
    private final Counter misses;

    @Inject
    public VerifiedTokens(VerifiedTokensConfig config, MeterRegistry registry) {
        this(config.enabled(), config.maxSize(), System::currentTimeMillis, registry);
    }

    /** For tests: {@code nowMillis} is the clock the {@code exp} check reads. */
    VerifiedTokens(boolean enabled, long maxSize, LongSupplier nowMillis, MeterRegistry registry) {
        this.enabled = enabled && maxSize > 0;
        this.nowMillis = nowMillis;
        this.cache = Caffeine.newBuilder()
                .maximumSize(Math.max(0, maxSize))
                .expireAfter(new Expiry<String, Verified>() {
                    @Override
                    public long expireAfterCreate(String key, Verified value, long currentTime) {
                        return TimeUnit.MILLISECONDS.toNanos(Math.max(0, value.expiresAtMillis() - nowMillis.getAsLong()));
                    }

                    @Override
                    public long expireAfterUpdate(String key, Verified value, long currentTime, long currentDuration) {
                        return expireAfterCreate(key, value, currentTime);
                    }

                    @Override
                    public long expireAfterRead(String key, Verified value, long currentTime, long currentDuration) {
                        return currentDuration;
                    }
                })
                .build();
        this.hits = Counter.builder("continuum.security.verified.tokens").tag("result", "hit")
                .description("requests whose bearer token was already verified on this replica").register(registry);
        this.misses = Counter.builder("continuum.security.verified.tokens").tag("result", "miss")
                .description("requests whose bearer token had to be verified (first seen, evicted or past exp)").register(registry);
        Gauge.builder("continuum.security.verified.tokens.cached", cache, Cache::estimatedSize)
                .description("verified bearer tokens kept").register(registry);
    }

    public boolean enabled() {
        return enabled;
    }

    /** The identity built when {@code rawToken} (the exact same text) was verified, or null: verify it. */
    public SecurityIdentity get(String rawToken) {
        Verified v = cache.getIfPresent(rawToken);
        if (v == null) {
            misses.increment();
            return null;
        }
        if (nowMillis.getAsLong() >= v.expiresAtMillis()) {
            cache.invalidate(rawToken);
            misses.increment();
            return null;
        }
        hits.increment();
        return v.identity();
    }

    /** Keeps the identity quarkus-oidc built for {@code rawToken}, until the token's {@code exp}; only a JWT with one. */
    public void put(String rawToken, SecurityIdentity identity) {
        if (!enabled || rawToken == null || identity == null || identity.isAnonymous()
                || !(identity.getPrincipal() instanceof JsonWebToken jwt)) {
            return;
        }
        long exp = jwt.getExpirationTime();
        if (exp <= 0) {
            return;
        }
        long expiresAtMillis = TimeUnit.SECONDS.toMillis(exp);
        if (expiresAtMillis > nowMillis.getAsLong()) {
            cache.put(rawToken, new Verified(identity, expiresAtMillis));
        }
    }

    /** Whether {@code rawToken} is kept right now (tests, diagnostics). */
    public boolean contains(String rawToken) {
        return cache.getIfPresent(rawToken) != null;
    }

    public long size() {
        cache.cleanUp();
        return cache.estimatedSize();
    }
}
