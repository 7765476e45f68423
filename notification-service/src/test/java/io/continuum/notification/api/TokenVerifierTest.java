package io.continuum.notification.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.continuum.testing.LocalStackResource;
import io.continuum.testing.TestUsers;
import io.continuum.testing.ThrowAwayUsers;
import io.continuum.testing.Tokens;
import io.quarkus.oidc.AccessTokenCredential;
import io.quarkus.oidc.TenantIdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The upgrade reuses the identity the HTTP layer built from the request's token instead of verifying it again, and
 * only when it is that very token: an identity established for another token never vouches for this one.
 */
@QuarkusTest
@QuarkusTestResource(LocalStackResource.class)
class TokenVerifierTest {

    @RegisterExtension
    static final ThrowAwayUsers USERS = new ThrowAwayUsers("ann", "ben");
    static final TestUsers.User ANN = USERS.get("ann");
    static final TestUsers.User BEN = USERS.get("ben");
    static final Duration WAIT = Duration.ofSeconds(10);

    @Inject
    TokenVerifier verifier;
    @Inject
    TenantIdentityProvider identities;

    @Test
    void anIdentityIsReusedOnlyForTheTokenItWasBuiltFrom() {
        Tokens.TokenSet ann = ANN.signIn();
        Tokens.TokenSet ben = BEN.signIn();
        SecurityIdentity annsIdentity = identities.authenticate(new AccessTokenCredential(ann.accessToken()))
                .await().atMost(WAIT);

        TokenVerifier.Verified same = verifier.verify(ann.accessToken(), annsIdentity).await().atMost(WAIT);
        assertThat(same.accountId()).isEqualTo(ann.subject());
        assertThat(same.sessionId()).isEqualTo(ann.sessionId());

        // another account's token arriving with ann's identity is verified on its own, and is ben's
        TokenVerifier.Verified other = verifier.verify(ben.accessToken(), annsIdentity).await().atMost(WAIT);
        assertThat(other.accountId()).isEqualTo(ben.subject());

        // a forged token (ann's claims, a broken signature) is refused even with ann's identity at hand
        String forged = ann.accessToken().substring(0, ann.accessToken().lastIndexOf('.') + 1) + "AAAA";
        assertThatThrownBy(() -> verifier.verify(forged, annsIdentity).await().atMost(WAIT))
                .isInstanceOf(TokenVerifier.Refused.class)
                .satisfies(e -> assertThat(((TokenVerifier.Refused) e).code).isEqualTo("invalid-token"));
        assertThatThrownBy(() -> verifier.verify(null, annsIdentity).await().atMost(WAIT))
                .isInstanceOf(TokenVerifier.Refused.class);
    }
}
