package io.continuum.platform.devices;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** {@code continuum.devices.*}: the registered-devices read model every service keeps from {@code auth.events}. */
@ConfigMapping(prefix = "continuum.devices")
public interface DevicesConfig {

    /**
     * Whether writes and WebSocket upgrades must come from a device registered to the account and bound to the
     * token's session. Needs the {@code auth.events} consumer ({@code continuum.revocation.enabled}).
     */
    @WithDefault("true")
    boolean bindingRequired();

    /**
     * How long a request naming a device this instance does not know yet waits for its registration to arrive
     * (auth-service's outbox relay and this instance's consumer lag behind the registration's 201 by milliseconds;
     * a device that registers and writes at once must not be refused). After that: 403 {@code device-not-registered}.
     */
    @WithDefault("3s")
    Duration registrationWait();

    /** At most this many requests wait at once for a registration; more are answered at once. */
    @WithDefault("10000")
    int maxWaiting();
}
