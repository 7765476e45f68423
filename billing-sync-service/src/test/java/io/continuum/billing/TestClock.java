package io.continuum.billing;

import io.continuum.billing.domain.BillingClock;
import io.quarkus.test.Mock;
import java.time.Duration;
import java.time.Instant;

/** The billing clock in tests: real time plus an offset a test moves forward (and resets). */
@Mock
public class TestClock extends BillingClock {

    static volatile Duration offset = Duration.ZERO;

    public static void advance(Duration d) {
        offset = offset.plus(d);
    }

    public static void reset() {
        offset = Duration.ZERO;
    }

    @Override
    public Instant now() {
        return Instant.now().plus(offset);
    }
}
