package io.continuum.auth.domain;

import io.continuum.auth.persistence.Device;
import java.time.Instant;

/**
 * A device as its account sees it.
 *
 * @param current whether this is the calling device (its session is the caller's {@code sid}, or its id is the
 *                caller's {@code X-Device-Id})
 * @param online  live connection reported by notification-service; {@code null} while unknown
 */
public record DeviceView(
        String deviceId,
        String kind,
        String platform,
        String displayName,
        Instant registeredAt,
        Instant signedInAt,
        Instant lastSeenAt,
        boolean current,
        Boolean online) {

    static DeviceView of(Device d, boolean current) {
        return new DeviceView(d.deviceId, d.kind, d.platform, d.displayName, d.registeredAt, d.signedInAt,
                d.lastSeenAt, current, d.online);
    }
}
