package io.continuum.platform.devices;

import io.continuum.platform.problem.Problem;
import io.continuum.platform.problem.ProblemException;
import io.continuum.platform.revocation.RevocationConfig;
import io.continuum.platform.security.Caller;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * The device check of writes and WebSocket upgrades: the device id the caller names must be a device registered to
 * the token's account and bound to the token's session ({@code sid}), per {@link RegisteredDevices}. Otherwise 403
 * problem+json {@code device-not-registered} naming {@code X-Device-Id}: the app registers the device
 * ({@code POST /api/auth/devices}) and retries.
 */
@ApplicationScoped
public class DeviceBinding {

    private static final Logger LOG = Logger.getLogger(DeviceBinding.class);
    public static final String NOT_REGISTERED = "device-not-registered";

    private final RegisteredDevices devices;
    private final DevicesConfig config;
    private final boolean required;
    private final Counter refused;

    public DeviceBinding(RegisteredDevices devices, DevicesConfig config, RevocationConfig revocation, MeterRegistry registry) {
        this.devices = devices;
        this.config = config;
        // the read model is fed by the auth-events consumer: without it every device would look unregistered
        this.required = config.bindingRequired() && revocation.enabled();
        this.refused = Counter.builder("continuum.devices.refused")
                .description("requests refused because their device is not registered for the session").register(registry);
    }

    /** Completes when {@code deviceId} is bound to {@code sessionId} of {@code accountId}; else fails with 403. */
    public Uni<Void> require(String accountId, String sessionId, String deviceId) {
        if (!required) {
            return Uni.createFrom().voidItem();
        }
        return devices.awaitBound(accountId, sessionId, deviceId, config.registrationWait(), config.maxWaiting())
                .map(bound -> {
                    if (!bound) {
                        refused.increment();
                        LOG.debugf("device %s of %s is not bound to session %s", deviceId, accountId, sessionId);
                        throw notRegistered(deviceId);
                    }
                    return null;
                })
                .replaceWithVoid();
    }

    /** Whether the check applies in this instance (off only in tests of other concerns). */
    public boolean required() {
        return required;
    }

    public static ProblemException notRegistered(String deviceId) {
        String detail = "device " + deviceId + " is not registered for this sign-in session: register it with"
                + " POST /api/auth/devices, then retry";
        return new ProblemException(403, NOT_REGISTERED, "Device not registered", detail,
                List.of(new Problem.FieldError(Caller.DEVICE_HEADER, "is not a device registered for this sign-in session")));
    }
}
