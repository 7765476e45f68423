package io.continuum.notification.messaging;

import io.continuum.notification.domain.Frame;
import io.continuum.notification.live.ConnectionRegistry;
import jakarta.enterprise.context.ApplicationScoped;

/** After a frame is stored: to this replica's sockets at once, and to the other replicas through the fan-out topic. */
@ApplicationScoped
public class FrameRouter {

    private final ConnectionRegistry registry;
    private final FanoutBus bus;

    public FrameRouter(ConnectionRegistry registry, FanoutBus bus) {
        this.registry = registry;
        this.bus = bus;
    }

    public void stored(Frame frame) {
        registry.deliver(frame);
        bus.publish(frame);
    }

    /** A control frame (not part of the stream) to the account's devices on every replica, except {@code exceptDevice}. */
    public void control(String accountId, String text, String coalesceKey, String exceptDevice) {
        registry.control(accountId, text, coalesceKey, c -> exceptDevice != null && exceptDevice.equals(c.deviceId()));
        bus.publishControl(accountId, text, coalesceKey, exceptDevice);
    }
}
