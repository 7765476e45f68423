package io.continuum.auth.domain;

import io.continuum.auth.config.AuthConfig;
import io.continuum.platform.problem.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sliding-window limit on registration attempts per account (per instance): a client that loops on
 * {@code POST /devices} gets 429 with {@code Retry-After} instead of filling the device table.
 */
@ApplicationScoped
public class RegistrationRateLimiter {

    private final Map<String, Deque<Long>> attempts = new ConcurrentHashMap<>();
    private final int limit;
    private final long windowMs;
    private final Clock clock;

    public RegistrationRateLimiter(AuthConfig config) {
        this.limit = config.registration().limit();
        this.windowMs = config.registration().window().toMillis();
        this.clock = Clock.systemUTC();
    }

    /** Counts one attempt, or throws 429 when the account is over its limit. */
    public void acquire(String accountId) {
        long now = clock.millis();
        Deque<Long> window = attempts.computeIfAbsent(accountId, k -> new ArrayDeque<>());
        synchronized (window) {
            while (!window.isEmpty() && window.peekFirst() <= now - windowMs) {
                window.pollFirst();
            }
            if (window.size() >= limit) {
                long retryAfter = Math.max(1, (window.peekFirst() + windowMs - now + 999) / 1000);
                throw ProblemException.tooManyRequests(
                        "at most " + limit + " device registrations per " + (windowMs / 1000) + " s", retryAfter);
            }
            window.addLast(now);
        }
        if (attempts.size() > 10_000) {
            attempts.entrySet().removeIf(e -> {
                synchronized (e.getValue()) {
                    return e.getValue().isEmpty() || e.getValue().peekLast() <= now - windowMs;
                }
            });
        }
    }
}
