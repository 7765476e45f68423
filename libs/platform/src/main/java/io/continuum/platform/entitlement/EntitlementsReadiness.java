package io.continuum.platform.entitlement;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Not ready until the entitlement read model has read {@code billing.events} up to its start-up end (when enabled). */
@Readiness
@ApplicationScoped
public class EntitlementsReadiness implements HealthCheck {

    private final EntitlementConsumer consumer;
    private final Entitlements entitlements;

    public EntitlementsReadiness(EntitlementConsumer consumer, Entitlements entitlements) {
        this.consumer = consumer;
        this.entitlements = entitlements;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("entitlements-read-model").status(consumer.ready())
                .withData("accounts", entitlements.accounts()).build();
    }
}
