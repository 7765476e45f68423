package io.continuum.auth.persistence;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;

@ApplicationScoped
public class DeviceRepository implements PanacheRepositoryBase<Device, Device.Key> {

    /** The device of this account, or null: another account's device with the same id is never returned. */
    public Uni<Device> findOwned(String accountId, String deviceId) {
        return findById(new Device.Key(accountId, deviceId));
    }

    public Uni<List<Device>> listActive(String accountId) {
        return list("accountId = ?1 and revokedAt is null", Sort.by("registeredAt").and("deviceId"), accountId);
    }

    /** Presence from notification-service; older reports than the stored one are ignored. */
    public Uni<Integer> updatePresence(String accountId, String deviceId, boolean online, Instant at) {
        return update("online = ?1, presenceAt = ?2, lastSeenAt = case when ?2 > lastSeenAt then ?2 else lastSeenAt end"
                        + " where accountId = ?3 and deviceId = ?4 and (presenceAt is null or presenceAt <= ?2)",
                online, at, accountId, deviceId);
    }

    /** Marks the calling device seen, at most once a minute (a cheap no-op otherwise). */
    public Uni<Integer> touch(String accountId, String deviceId, Instant now) {
        return update("lastSeenAt = ?1 where accountId = ?2 and deviceId = ?3 and revokedAt is null and lastSeenAt < ?4",
                now, accountId, deviceId, now.minusSeconds(60));
    }
}
