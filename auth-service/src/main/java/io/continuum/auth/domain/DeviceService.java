package io.continuum.auth.domain;

import io.continuum.auth.keycloak.KeycloakAdmin;
import io.continuum.auth.persistence.Device;
import io.continuum.auth.persistence.DeviceRepository;
import io.continuum.auth.persistence.DeviceSession;
import io.continuum.auth.persistence.DeviceSessionRepository;
import io.continuum.auth.persistence.KeycloakJob;
import io.continuum.events.EventTypes;
import io.continuum.events.auth.DeviceKind;
import io.continuum.events.auth.DeviceRegistered;
import io.continuum.events.auth.DeviceRevoked;
import io.continuum.events.auth.DeviceSignedIn;
import io.continuum.events.auth.SignedOutEverywhere;
import io.continuum.platform.outbox.Outbox;
import io.continuum.platform.problem.Problem;
import io.continuum.platform.problem.ProblemException;
import io.continuum.platform.revocation.RevokedSessions;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Devices of an account and the sessions bound to them. Every change and its {@code auth.events} event are written
 * in one transaction (outbox). A revocation also writes its Keycloak job in that transaction ({@link KeycloakJobs}):
 * the revocation bites everywhere at once, and the Keycloak side is retried until Keycloak confirms.
 */
@ApplicationScoped
public class DeviceService {

    private static final Logger LOG = Logger.getLogger(DeviceService.class);

    private final DeviceRepository devices;
    private final DeviceSessionRepository sessions;
    private final Outbox outbox;
    private final KeycloakAdmin keycloak;
    private final RevokedSessions revoked;
    private final KeycloakJobs jobs;

    public DeviceService(DeviceRepository devices, DeviceSessionRepository sessions, Outbox outbox,
            KeycloakAdmin keycloak, RevokedSessions revoked, KeycloakJobs jobs) {
        this.jobs = jobs;
        this.devices = devices;
        this.sessions = sessions;
        this.outbox = outbox;
        this.keycloak = keycloak;
        this.revoked = revoked;
    }

    /**
     * Registers the calling device and binds it to the caller's session. Idempotent: the same device and session
     * again changes nothing (no event). A known device with a new session is a sign-in ({@code device-signed-in});
     * a new device, or one that was revoked and signs in again, is a registration ({@code device-registered}).
     */
    public Uni<Registration.Result> register(String accountId, String sessionId, Registration r) {
        // Two concurrent first registrations of one device: the loser hits the primary key, and its retry takes
        // the idempotent path.
        return Uni.createFrom().deferred(() -> registerOnce(accountId, sessionId, r))
                .onFailure(DeviceService::isUniqueViolation).retry().atMost(2);
    }

    private Uni<Registration.Result> registerOnce(String accountId, String sessionId, Registration r) {
        Instant now = now();
        return Panache.withTransaction(() -> sessions.findById(sessionId).chain(bound -> {
            if (bound != null && (!bound.accountId.equals(accountId) || !bound.deviceId.equals(r.deviceId()))) {
                String detail = "this sign-in session is already bound to another device; sign in again on this device";
                throw new ProblemException(409, "session-bound", "Conflict", detail,
                        List.of(new Problem.FieldError("deviceId", detail)));
            }
            if (bound != null && bound.endedAt != null) {
                throw ProblemException.unauthorized();
            }
            return devices.findOwned(accountId, r.deviceId()).chain(existing -> {
                if (existing != null && !existing.revoked() && bound != null) {
                    // the same device and session again: nothing to do
                    existing.lastSeenAt = now;
                    return Uni.createFrom().item(new Registration.Result(DeviceView.of(existing, true), false));
                }
                boolean registration = existing == null || existing.revoked();
                Device device = existing != null ? existing : new Device();
                if (existing == null) {
                    device.accountId = accountId;
                    device.deviceId = r.deviceId();
                }
                if (registration) {
                    device.kind = r.kind();
                    device.platform = r.platform();
                    device.displayName = r.displayName();
                    device.registeredAt = now;
                    device.revokedAt = null;
                    device.revokeReason = null;
                    device.online = null;
                    device.presenceAt = null;
                }
                device.signedInAt = now;
                device.lastSeenAt = now;
                DeviceSession session = new DeviceSession();
                session.sessionId = sessionId;
                session.accountId = accountId;
                session.deviceId = r.deviceId();
                session.createdAt = now;
                Uni<?> event = registration
                        ? outbox.append(EventTypes.DEVICE_REGISTERED, accountId, r.deviceId(), null,
                                new DeviceRegistered(r.deviceId(), DeviceKind.valueOf(device.kind.toUpperCase(Locale.ROOT)),
                                        device.platform, device.displayName, sessionId))
                        : outbox.append(EventTypes.DEVICE_SIGNED_IN, accountId, r.deviceId(), null,
                                new DeviceSignedIn(r.deviceId(), sessionId));
                return devices.persist(device)
                        .chain(() -> sessions.persist(session))
                        .chain(() -> event)
                        .replaceWith(new Registration.Result(DeviceView.of(device, true), registration));
            });
        }));
    }

    /** The account's active devices; also marks the calling device seen (at most once a minute). */
    public Uni<List<DeviceView>> list(String accountId, String callerSessionId, Optional<String> callerDeviceId) {
        return Panache.withTransaction(() -> sessions.findById(callerSessionId == null ? "" : callerSessionId).chain(mine -> {
            boolean bound = mine != null && mine.accountId.equals(accountId) && mine.endedAt == null;
            String current = bound ? mine.deviceId : callerDeviceId.orElse(null);
            Uni<Integer> touch = bound ? devices.touch(accountId, mine.deviceId, now()) : Uni.createFrom().item(0);
            return touch.chain(() -> devices.listActive(accountId))
                    .map(list -> list.stream().map(d -> DeviceView.of(d, d.deviceId.equals(current))).toList());
        }));
    }

    @WithSession
    public Uni<DeviceView> get(String accountId, String deviceId, String callerSessionId) {
        return activeOwned(accountId, deviceId).chain(d -> isCurrent(d, callerSessionId).map(c -> DeviceView.of(d, c)));
    }

    public Uni<DeviceView> rename(String accountId, String deviceId, String displayName, String callerSessionId) {
        return Panache.withTransaction(() -> activeOwned(accountId, deviceId).chain(d -> {
            d.displayName = displayName;
            return isCurrent(d, callerSessionId).map(c -> DeviceView.of(d, c));
        }));
    }

    /**
     * Revokes a device of the account: marks it revoked, ends its sessions, publishes {@code device-revoked} and
     * writes the Keycloak job that ends them (and their offline tokens) in Keycloak, all in one transaction; refuses
     * its sessions in this instance at once, then runs the job. A Keycloak outage does not fail the revocation: the
     * job is retried until Keycloak confirms, and every service refuses the sessions until then. Revoking an already
     * revoked device schedules the Keycloak part again.
     */
    public Uni<Void> revoke(String accountId, String deviceId, String reason, String byDeviceId) {
        Instant now = now();
        return Panache.withTransaction(() -> devices.findOwned(accountId, deviceId).chain(d -> {
            if (d == null) {
                throw ProblemException.notFound("device " + deviceId);
            }
            return sessions.list("accountId = ?1 and deviceId = ?2", accountId, deviceId).chain(all -> {
                List<String> active = all.stream().filter(s -> s.endedAt == null).map(s -> s.sessionId).toList();
                List<String> every = all.stream().map(s -> s.sessionId).toList();
                Uni<?> revocation;
                if (d.revoked()) {
                    revocation = Uni.createFrom().voidItem();
                } else {
                    d.revokedAt = now;
                    d.revokeReason = reason;
                    d.online = null;
                    revocation = sessions.end(active, now)
                            .chain(() -> outbox.append(EventTypes.DEVICE_REVOKED, accountId, byDeviceId, null,
                                    new DeviceRevoked(deviceId, active, reason)));
                }
                return revocation.chain(() -> every.isEmpty() ? Uni.createFrom().<KeycloakJob>nullItem()
                        : jobs.schedule(accountId, KeycloakJob.END_SESSIONS, every, null));
            });
        })).chain(job -> {
            if (job == null) {
                return Uni.createFrom().voidItem();
            }
            revoked.revoke(accountId, job.sessions(), "device-revoked:" + reason, now);
            return jobs.run(job).replaceWithVoid();
        });
    }

    /**
     * Ends every session of the account (optionally all but the caller's own), in Keycloak and in every service:
     * one {@code signed-out-everywhere} event listing the sessions, and the Keycloak job, in one transaction.
     * Without an exception the job is Keycloak's user logout, which also moves the user's not-before to now and so
     * voids every refresh and offline token issued before; with the caller's session kept, each other session (and
     * its offline twin) is ended one by one, including sessions Keycloak lists only when the job runs. Keycloak
     * being unreachable does not fail the call: the sessions auth-service knows are revoked and the job retries.
     */
    public Uni<List<String>> logoutEverywhere(String accountId, String callerSessionId, boolean exceptCaller) {
        Instant now = now();
        return keycloak.userSessionIds(accountId)
                .onFailure().recoverWithItem(e -> {
                    LOG.warnf("log out everywhere of %s: Keycloak's session list unavailable (%s); the Keycloak job"
                            + " ends them when Keycloak is back", accountId, e.getMessage());
                    return List.of();
                })
                .chain(keycloakSids -> Panache.withTransaction(() ->
                sessions.activeOfAccount(accountId).chain(known -> {
                    Set<String> all = new LinkedHashSet<>(keycloakSids);
                    known.forEach(s -> all.add(s.sessionId));
                    String keep = exceptCaller ? callerSessionId : null;
                    if (keep != null) {
                        all.remove(keep);
                    }
                    List<String> ended = new ArrayList<>(all);
                    String keepDevice = keep == null ? null : known.stream()
                            .filter(s -> s.sessionId.equals(keep)).map(s -> s.deviceId).findFirst().orElse(null);
                    String kind = exceptCaller ? KeycloakJob.END_SESSIONS_EXCEPT : KeycloakJob.LOGOUT_USER;
                    return sessions.end(ended, now)
                            .chain(() -> outbox.append(EventTypes.SIGNED_OUT_EVERYWHERE, accountId, keepDevice, null,
                                    new SignedOutEverywhere(ended, keepDevice, keep)))
                            .chain(() -> jobs.schedule(accountId, kind, ended, keep))
                            .map(job -> new Logout(ended, job));
                })))
                .call(out -> {
                    revoked.revoke(accountId, out.ended(), "signed-out-everywhere", now);
                    return jobs.run(out.job());
                })
                .map(Logout::ended);
    }

    private record Logout(List<String> ended, KeycloakJob job) {
    }

    private Uni<Device> activeOwned(String accountId, String deviceId) {
        return devices.findOwned(accountId, deviceId).map(d -> {
            if (d == null || d.revoked()) {
                throw ProblemException.notFound("device " + deviceId);
            }
            return d;
        });
    }

    private Uni<Boolean> isCurrent(Device d, String callerSessionId) {
        if (callerSessionId == null) {
            return Uni.createFrom().item(false);
        }
        return sessions.findById(callerSessionId)
                .map(s -> s != null && s.accountId.equals(d.accountId) && s.deviceId.equals(d.deviceId));
    }

    static boolean isUniqueViolation(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof org.hibernate.exception.ConstraintViolationException
                    || (t instanceof io.vertx.pgclient.PgException pg && "23505".equals(pg.getSqlState()))) {
                return true;
            }
        }
        return false;
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}
