package io.continuum.auth.persistence;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;

/** A device of an account; the account's sign-in sessions bound to it are {@link DeviceSession}s. */
@Entity
@Table(name = "device")
@IdClass(Device.Key.class)
public class Device extends PanacheEntityBase {

    @Id
    @Column(name = "account_id")
    public String accountId;
    @Id
    @Column(name = "device_id")
    public String deviceId;
    public String kind;
    public String platform;
    @Column(name = "display_name")
    public String displayName;
    @Column(name = "registered_at")
    public Instant registeredAt;
    @Column(name = "signed_in_at")
    public Instant signedInAt;
    @Column(name = "last_seen_at")
    public Instant lastSeenAt;
    @Column(name = "revoked_at")
    public Instant revokedAt;
    @Column(name = "revoke_reason")
    public String revokeReason;
    /** From notification-service presence; {@code null} while unknown. */
    public Boolean online;
    @Column(name = "presence_at")
    public Instant presenceAt;

    public boolean revoked() {
        return revokedAt != null;
    }

    public static class Key implements Serializable {
        public String accountId;
        public String deviceId;

        public Key() {
        }

        public Key(String accountId, String deviceId) {
            this.accountId = accountId;
            this.deviceId = deviceId;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(accountId, k.accountId) && Objects.equals(deviceId, k.deviceId);
        }

        @Override
        public int hashCode() {
            return Objects.hash(accountId, deviceId);
        }
    }
}
