package io.continuum.billing.provider;

import java.time.Instant;

/** A checkout session the provider created: where the user pays. */
public record CheckoutCreated(String sessionId, String url, Instant expiresAt) {}
