package io.continuum.auth.persistence;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;

@ApplicationScoped
public class DeviceSessionRepository implements PanacheRepositoryBase<DeviceSession, String> {

    public Uni<List<DeviceSession>> activeOfDevice(String accountId, String deviceId) {
        return list("accountId = ?1 and deviceId = ?2 and endedAt is null", accountId, deviceId);
    }

    public Uni<List<DeviceSession>> activeOfAccount(String accountId) {
        return list("accountId = ?1 and endedAt is null", accountId);
    }

    public Uni<Integer> end(List<String> sessionIds, Instant at) {
        if (sessionIds.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        return update("endedAt = ?1 where sessionId in ?2 and endedAt is null", at, sessionIds);
    }
}
