package io.continuum.notification.domain;

/**
 * How a frame may be treated on its way to a slow socket.
 *
 * <ul>
 *   <li>{@link #CRITICAL}: auth, billing, game economy. Always delivered, never coalesced; if the socket cannot keep up
 *       it is closed with a resume hint, so the device fetches it from history.</li>
 *   <li>{@link #ORDERED}: chat and other account state. Same guarantee as critical; kept in order.</li>
 *   <li>{@link #LATEST_WINS}: playback position ticks, presence, recommendation hints. While such a frame waits in a
 *       socket's queue, a newer frame with the same coalescing key replaces it, so only the newest value goes out.</li>
 * </ul>
 */
public enum DeliveryClass {
    CRITICAL("critical"),
    ORDERED("ordered"),
    LATEST_WINS("latest-wins");

    private final String wire;

    DeliveryClass(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    public static DeliveryClass fromWire(String value) {
        for (DeliveryClass c : values()) {
            if (c.wire.equals(value)) {
                return c;
            }
        }
        return ORDERED;
    }
}
