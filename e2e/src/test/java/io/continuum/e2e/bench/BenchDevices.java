package io.continuum.e2e.bench;

import io.continuum.testing.DeviceRegistrations;
import io.continuum.testing.TestUsers;
import io.continuum.testing.Tokens;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Many registered devices for a benchmark's setup: one sign-in per device (a session is bound to one device,
 * docs/auth.md), registered by publishing {@code device-registered} on {@code auth.events}
 * ({@link DeviceRegistrations}), not through {@code POST /api/auth/devices}, whose per-account rate limit (30 a minute)
 * would make a thousand devices take half an hour. Not part of any measured time.
 */
final class BenchDevices {

    private BenchDevices() {
    }

    /** device id → its own signed-in, registered session of {@code user}. */
    static Map<String, Tokens.TokenSet> signIn(TestUsers.User user, List<String> deviceIds) throws InterruptedException {
        Map<String, Tokens.TokenSet> tokens = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (String id : deviceIds) {
                pool.submit(() -> {
                    Tokens.TokenSet t = user.signIn();
                    DeviceRegistrations.register(t, id);
                    tokens.put(id, t);
                });
            }
        } finally {
            pool.shutdown();
            pool.awaitTermination(30, TimeUnit.MINUTES);
        }
        if (tokens.size() != deviceIds.size()) {
            throw new IllegalStateException("signed in " + tokens.size() + " of " + deviceIds.size() + " devices");
        }
        return tokens;
    }
}
