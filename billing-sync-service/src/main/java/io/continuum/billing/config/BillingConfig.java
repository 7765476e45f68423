package io.continuum.billing.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;

/** {@code continuum.billing.*} (see docs/billing.md). */
@ConfigMapping(prefix = "continuum.billing")
public interface BillingConfig {

    /** How long entitlements are kept after a failed renewal payment ({@code past_due}) before they expire. */
    @WithDefault("P7D")
    Duration gracePeriod();

    /** How long an open checkout session is handed out again to the account's other devices. */
    @WithDefault("PT30M")
    Duration checkoutTtl();

    /** Catalog file on the classpath (products, plans and the entitlements they grant). */
    @WithDefault("billing/catalog.json")
    String catalog();

    Stripe stripe();

    Reconciliation reconciliation();

    /** How often lapsed grace periods and ended periods are turned into {@code expired}. */
    @WithDefault("30s")
    String expiryEvery();

    interface Stripe {
        /**
         * Webhook endpoint secrets ({@code whsec_…}). Several during a rotation: a signature made with any of them is
         * accepted.
         */
        List<String> webhookSecrets();

        /** Largest accepted difference between the signature's {@code t} and now, either way. */
        @WithDefault("300s")
        Duration tolerance();

        /** Base URL of the Stripe-compatible API (the simulator locally). */
        @WithDefault("http://127.0.0.1:8086")
        String apiUrl();

        /** Secret API key sent as {@code Authorization: Bearer}. */
        String apiKey();

        /** Where the provider's checkout page sends the user back to. */
        @WithDefault("http://localhost:8080/billing/done")
        String successUrl();
    }

    interface Reconciliation {
        @WithDefault("true")
        boolean enabled();

        /** Schedule of the reconciliation job. */
        @WithDefault("5m")
        String every();
    }
}
