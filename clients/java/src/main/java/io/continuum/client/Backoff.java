package io.continuum.client;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with jitter, for the offline queue's retries and the WebSocket's reconnects.
 *
 * <p>The delay before attempt {@code n} (0-based count of failures so far) is drawn uniformly from
 * {@code [ceiling/2, ceiling]} with {@code ceiling = min(max, base * 2^n)} ("equal jitter"): never zero, so a
 * device never hammers a struggling server, and spread, so a thousand devices that lost the same replica do not
 * come back in one wave. A server's {@code Retry-After} is a floor on top of it ({@link #delay(int, Duration)}).
 */
public final class Backoff {

    private final Duration base;
    private final Duration max;
    private final DoubleSupplier random;

    /**
     * @param base   ceiling of the first delay
     * @param max    largest ceiling
     * @param random uniform values in [0, 1); tests pass a fixed one
     */
    public Backoff(Duration base, Duration max, DoubleSupplier random) {
        if (base.isNegative() || base.isZero() || max.compareTo(base) < 0) {
            throw new IllegalArgumentException("need 0 < base <= max, got base " + base + ", max " + max);
        }
        this.base = base;
        this.max = max;
        this.random = random;
    }

    public Backoff(Duration base, Duration max) {
        this(base, max, Math::random);
    }

    /** Delay before the next try after {@code failures} failures in a row. */
    public Duration delay(int failures) {
        long ceiling = ceilingMillis(failures);
        long half = ceiling / 2;
        return Duration.ofMillis(half + (long) (random.getAsDouble() * (ceiling - half + 1)));
    }

    /** Like {@link #delay(int)}, but never shorter than what the server asked for ({@code Retry-After}). */
    public Duration delay(int failures, Duration retryAfter) {
        Duration d = delay(failures);
        return retryAfter != null && retryAfter.compareTo(d) > 0 ? retryAfter : d;
    }

    long ceilingMillis(int failures) {
        int shift = Math.min(Math.max(failures, 0), 30);
        long ceiling = base.toMillis() << shift;
        return ceiling <= 0 || ceiling > max.toMillis() ? max.toMillis() : ceiling;
    }
}
