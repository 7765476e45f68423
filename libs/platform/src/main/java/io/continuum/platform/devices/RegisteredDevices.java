package io.continuum.platform.devices;

import io.continuum.events.CloudEvent;
import io.continuum.events.EventTypes;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The local read model of registered devices: which device each sign-in session ({@code sid}) is bound to, per
 * account. Fed from {@code auth.events} by the platform's auth-events consumer
 * ({@link io.continuum.platform.revocation.RevocationConsumer}, which reads the topic from its beginning at start):
 * {@code device-registered} and {@code device-signed-in} bind a session to a device; {@code device-revoked} unbinds
 * every session of the device; {@code signed-out-everywhere} and {@code session-ended} unbind their sessions.
 * auth-service lets a session be bound to one device only, so {@code sid → (account, device)} is the whole model.
 * A lookup is one hash-map read; a miss may wait briefly for a registration still on its way
 * ({@link #awaitBound}).
 */
@ApplicationScoped
public class RegisteredDevices {

    private record Binding(String accountId, String deviceId) {
    }

    private final Map<String, Binding> bySession = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> sessionsByDevice = new ConcurrentHashMap<>();
    private final Map<String, List<CompletableFuture<Void>>> waiters = new ConcurrentHashMap<>();
    private final AtomicInteger waiting = new AtomicInteger();

    public RegisteredDevices(MeterRegistry registry) {
        Gauge.builder("continuum.devices.bindings", bySession, Map::size)
                .description("sign-in sessions bound to a registered device, known to this instance").register(registry);
        Gauge.builder("continuum.devices.waiting", waiting, AtomicInteger::get)
                .description("requests waiting for their device's registration to arrive").register(registry);
    }

    /** Applies one {@code auth.events} event; other types are ignored. */
    public void apply(CloudEvent event) {
        String account = event.subject();
        event.dataAs(EventTypes.DEVICE_REGISTERED).ifPresent(d -> bind(account, d.deviceId(), d.sessionId()));
        event.dataAs(EventTypes.DEVICE_SIGNED_IN).ifPresent(d -> bind(account, d.deviceId(), d.sessionId()));
        event.dataAs(EventTypes.DEVICE_REVOKED).ifPresent(d -> {
            unbindDevice(account, d.deviceId());
            unbindSessions(d.sessionIds());
        });
        event.dataAs(EventTypes.SIGNED_OUT_EVERYWHERE).ifPresent(d -> unbindSessions(d.sessionIds()));
        event.dataAs(EventTypes.SESSION_ENDED).ifPresent(d -> unbindSessions(List.of(d.sessionId())));
    }

    /** Binds {@code sessionId} to the account's {@code deviceId} and wakes requests waiting for it. */
    public void bind(String accountId, String deviceId, String sessionId) {
        if (accountId == null || deviceId == null || sessionId == null) {
            return;
        }
        Binding previous = bySession.put(sessionId, new Binding(accountId, deviceId));
        if (previous != null && !previous.equals(new Binding(accountId, deviceId))) {
            Set<String> old = sessionsByDevice.get(key(previous.accountId(), previous.deviceId()));
            if (old != null) {
                old.remove(sessionId);
            }
        }
        sessionsByDevice.computeIfAbsent(key(accountId, deviceId), k -> ConcurrentHashMap.newKeySet()).add(sessionId);
        List<CompletableFuture<Void>> woken = waiters.remove(sessionId);
        if (woken != null) {
            woken.forEach(f -> f.complete(null));
        }
    }

    /** The device was revoked: none of its sessions is bound any more. */
    public void unbindDevice(String accountId, String deviceId) {
        Set<String> sessions = sessionsByDevice.remove(key(accountId, deviceId));
        if (sessions != null) {
            sessions.forEach(bySession::remove);
        }
    }

    /** The sessions ended. */
    public void unbindSessions(Collection<String> sessionIds) {
        if (sessionIds == null) {
            return;
        }
        for (String sid : sessionIds) {
            Binding b = sid == null ? null : bySession.remove(sid);
            if (b != null) {
                Set<String> of = sessionsByDevice.get(key(b.accountId(), b.deviceId()));
                if (of != null) {
                    of.remove(sid);
                }
            }
        }
    }

    /** True when {@code sessionId} is bound to {@code deviceId} of {@code accountId}. */
    public boolean isBound(String accountId, String sessionId, String deviceId) {
        if (accountId == null || sessionId == null || deviceId == null) {
            return false;
        }
        Binding b = bySession.get(sessionId);
        return b != null && b.accountId().equals(accountId) && b.deviceId().equals(deviceId);
    }

    /**
     * Like {@link #isBound}, but on a miss waits up to {@code wait} for a binding of {@code sessionId} to arrive
     * (a device that registered a moment ago). Never blocks a thread: the answer completes when the registration
     * is applied or the wait ends. With {@code maxWaiting} requests already waiting it answers at once.
     */
    public Uni<Boolean> awaitBound(String accountId, String sessionId, String deviceId, Duration wait, int maxWaiting) {
        if (isBound(accountId, sessionId, deviceId)) {
            return Uni.createFrom().item(true);
        }
        if (sessionId == null || wait.isZero() || waiting.get() >= maxWaiting) {
            return Uni.createFrom().item(false);
        }
        CompletableFuture<Void> arrived = new CompletableFuture<>();
        waiters.computeIfAbsent(sessionId, k -> new CopyOnWriteArrayList<>()).add(arrived);
        if (bySession.containsKey(sessionId)) {
            arrived.complete(null); // bound between the first look and the registration of the waiter
        }
        waiting.incrementAndGet();
        // the answer continues on the caller's Vert.x context (not the consumer's or the timer's thread): what
        // follows (Hibernate Reactive, the WebSocket upgrade) must run there
        io.vertx.core.Context caller = io.vertx.core.Vertx.currentContext();
        java.util.concurrent.Executor back = caller == null ? Runnable::run : task -> caller.runOnContext(v -> task.run());
        return Uni.createFrom().completionStage(arrived)
                .ifNoItem().after(wait).recoverWithItem((Void) null)
                .emitOn(back)
                .eventually(() -> {
                    waiting.decrementAndGet();
                    waiters.computeIfPresent(sessionId, (k, list) -> {
                        list.remove(arrived);
                        return list.isEmpty() ? null : list;
                    });
                })
                .map(ignored -> isBound(accountId, sessionId, deviceId));
    }

    /** How many requests wait for a registration right now. */
    public int waiting() {
        return waiting.get();
    }

    /** How many sessions are bound (for tests and operators). */
    public int size() {
        return bySession.size();
    }

    private static String key(String accountId, String deviceId) {
        return accountId + '\n' + deviceId;
    }
}
