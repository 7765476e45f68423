package io.continuum.platform.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.junit.jupiter.api.Test;

/**
 * The cache's own rules, on a clock the test moves. Fakes: the clock, and the identity (a principal holding only
 * {@code exp}, standing in for the one quarkus-oidc builds); {@link VerifiedTokenCacheTest} covers the real path.
 */
class VerifiedTokensTest {

    private final AtomicLong now = new AtomicLong(1_700_000_000_000L);

    @Test
    void anEntryIsNeverServedAtOrAfterItsTokensExp() {
        VerifiedTokens tokens = new VerifiedTokens(true, 100, now::get, new SimpleMeterRegistry());
        long exp = now.get() / 1000 + 300;
        tokens.put("token-a", identity(exp));

        now.set(exp * 1000 - 1);
        assertThat(tokens.get("token-a")).isNotNull();
        now.set(exp * 1000);
        assertThat(tokens.get("token-a")).isNull();
        assertThat(tokens.contains("token-a")).isFalse(); // dropped, not only hidden
        now.set(exp * 1000 + 60_000);
        assertThat(tokens.get("token-a")).isNull();
    }

    @Test
    void aTokenAlreadyPastItsExpOrWithoutOneIsNotKept() {
        VerifiedTokens tokens = new VerifiedTokens(true, 100, now::get, new SimpleMeterRegistry());
        tokens.put("expired", identity(now.get() / 1000 - 1));
        tokens.put("no-exp", identity(0));
        assertThat(tokens.get("expired")).isNull();
        assertThat(tokens.get("no-exp")).isNull();
        assertThat(tokens.size()).isZero();
    }

    @Test
    void onlyTheExactTokenTextHits() {
        VerifiedTokens tokens = new VerifiedTokens(true, 100, now::get, new SimpleMeterRegistry());
        tokens.put("aaa.bbb.ccc", identity(now.get() / 1000 + 300));
        assertThat(tokens.get("aaa.bbb.ccc")).isNotNull();
        for (String other : new String[] {"aaa.bbb.cc", "aaa.bbb.ccd", "aaa.bbb.ccc.", "aaa.bbx.ccc", "baa.bbb.ccc"}) {
            assertThat(tokens.get(other)).as(other).isNull();
        }
    }

    @Test
    void theSizeIsBoundedAndADisabledCacheKeepsNothing() {
        VerifiedTokens tokens = new VerifiedTokens(true, 3, now::get, new SimpleMeterRegistry());
        for (int i = 0; i < 50; i++) {
            tokens.put("token-" + i, identity(now.get() / 1000 + 300));
        }
        assertThat(tokens.size()).isLessThanOrEqualTo(3);

        VerifiedTokens off = new VerifiedTokens(false, 100, now::get, new SimpleMeterRegistry());
        off.put("token", identity(now.get() / 1000 + 300));
        assertThat(off.enabled()).isFalse();
        assertThat(off.get("token")).isNull();
    }

    private static SecurityIdentity identity(long exp) {
        JsonWebToken jwt = new JsonWebToken() {
            @Override
            public String getName() {
                return "user";
            }

            @Override
            public Set<String> getClaimNames() {
                return Set.of("exp");
            }

            @Override
            @SuppressWarnings("unchecked")
            public <T> T getClaim(String claimName) {
                return "exp".equals(claimName) ? (T) Long.valueOf(exp) : null;
            }
        };
        return QuarkusSecurityIdentity.builder().setPrincipal(jwt).build();
    }
}
