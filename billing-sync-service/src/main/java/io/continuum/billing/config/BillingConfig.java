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

    AppStore appStore();

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

    /** App Store Server Notifications v2 ({@code POST /api/billing/webhooks/app_store}). */
    interface AppStore {
        /**
         * PEM files of the roots a notification's certificate chain must lead to: Apple Root CA - G3 in production,
         * the simulator's test root locally. None configured: the endpoint answers 501 and stores nothing.
         */
        java.util.Optional<List<String>> rootCertificates();

        /** The app's bundle id: a notification for another app is refused. */
        @WithDefault("io.continuum.app")
        String bundleId();
    }

    interface Reconciliation {
        @WithDefault("true")
        boolean enabled();

        /** Schedule of the reconciliation job. */
        @WithDefault("5m")
        String every();
    }
}
