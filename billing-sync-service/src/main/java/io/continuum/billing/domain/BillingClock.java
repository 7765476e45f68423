package io.continuum.billing.domain;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;

/** The time billing decisions use (grace periods, period ends, signature tolerance). Tests move it. */
@ApplicationScoped
public class BillingClock {

    public Instant now() {
        return Instant.now();
    }
}
