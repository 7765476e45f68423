package io.continuum.platform.entitlement;

import io.continuum.events.billing.EntitlementChanged;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The read model alone (no Kafka): what "has" answers for the events it was given, at a fixed clock. */
class EntitlementsTest {

    static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
    final Entitlements model = new Entitlements(Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void anUnknownAccountHoldsNothing() {
        assertThat(model.has("nobody", "premium")).isFalse();
        assertThat(model.has(null, "premium")).isFalse();
    }

    @Test
    void anActiveEntitlementIsHeldUntilItsEndAndLapsesOnItsOwn() {
        model.apply("a", new EntitlementChanged("premium", true, "premium", NOW.plusSeconds(60), "active", "subscription-active", "s1"), NOW);
        model.apply("b", new EntitlementChanged("premium", true, "premium", NOW.minusSeconds(1), "active", "subscription-active", "s2"), NOW);
        assertThat(model.has("a", "premium")).isTrue();
        assertThat(model.has("a", "uhd")).isFalse();
        assertThat(model.has("b", "premium")).as("past its validUntil, without any further event").isFalse();
    }

    @Test
    void theNewestEventWinsEvenWhenAnOlderOneArrivesLater() {
        model.apply("a", new EntitlementChanged("premium", false, "premium", null, "revoked", "refunded", "s1"), NOW);
        model.apply("a", new EntitlementChanged("premium", true, "premium", null, "active", "subscription-active", "s1"), NOW.minusSeconds(5));
        assertThat(model.has("a", "premium")).isFalse();
        assertThat(model.get("a", "premium")).get().extracting(Entitlements.Held::reason).isEqualTo("refunded");
    }

    @Test
    void listenersHearEveryAppliedChangeAfterTheModelHasIt() {
        List<String> heard = new ArrayList<>();
        model.onChange((account, change) -> heard.add(account + ":" + change.entitlement() + ":" + model.has(account, change.entitlement())));
        model.apply("a", new EntitlementChanged("premium", true, "premium", null, "active", "subscription-active", "s1"), NOW);
        model.apply(null, new EntitlementChanged("premium", true, "premium", null, "active", "subscription-active", "s1"), NOW);
        model.apply("a", new EntitlementChanged("premium", false, "premium", null, "revoked", "refunded", "s1"), NOW.plusSeconds(1));
        assertThat(heard).containsExactly("a:premium:true", "a:premium:false");
    }
}
