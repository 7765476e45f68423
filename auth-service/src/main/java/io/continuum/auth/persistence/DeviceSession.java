package io.continuum.auth.persistence;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A Keycloak session ({@code sid}) bound to a device. Ended when the device is revoked or the session logs out. */
@Entity
@Table(name = "device_session")
public class DeviceSession extends PanacheEntityBase {

    @Id
    @Column(name = "session_id")
    public String sessionId;
    @Column(name = "account_id")
    public String accountId;
    @Column(name = "device_id")
    public String deviceId;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "ended_at")
    public Instant endedAt;
}
