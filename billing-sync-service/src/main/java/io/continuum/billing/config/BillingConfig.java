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

    PlayStore playStore();

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

    /** Google Play Real-time developer notifications ({@code POST /api/billing/webhooks/play_store}). */
    interface PlayStore {
        /**
         * Google service-account key file (JSON: {@code client_email}, {@code private_key}) billing reads subscriptions
         * from the Play Developer API with. None configured: the endpoint answers 501 and stores nothing.
         */
        java.util.Optional<String> serviceAccountKey();

        /** The app's package name: a notification for another app is refused. */
        @WithDefault("io.continuum.app")
        String packageName();

        /** The {@code aud} of the push subscription's OIDC token (set on the Pub/Sub push subscription). */
        @WithDefault("continuum-billing")
        String audience();

        /** The service account the push subscription authenticates as (the token's {@code email}). */
        @WithDefault("play-rtdn@continuum-local.iam.gserviceaccount.com")
        String pushServiceAccount();

        /** Google's signing keys of OIDC tokens. */
        @WithDefault("https://www.googleapis.com/oauth2/v3/certs")
        String jwksUrl();

        @WithDefault("https://oauth2.googleapis.com/token")
        String tokenUrl();

        /** Base URL of the Play Developer API. */
        @WithDefault("https://androidpublisher.googleapis.com")
        String apiUrl();
    }

    interface Reconciliation {
        @WithDefault("true")
        boolean enabled();

        /** Schedule of the reconciliation job. */
        @WithDefault("5m")
        String every();
    }
}
