package io.continuum.notification.live;

import io.continuum.notification.domain.Frame;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/** The sockets this replica holds, by account. */
@ApplicationScoped
public class ConnectionRegistry {

    private final Map<String, List<DeviceConnection>> byAccount = new ConcurrentHashMap<>();
    private final Map<String, DeviceConnection> byId = new ConcurrentHashMap<>();

    public void add(DeviceConnection c) {
        byId.put(c.id(), c);
        byAccount.computeIfAbsent(c.accountId(), k -> new CopyOnWriteArrayList<>()).add(c);
    }

    public DeviceConnection get(String connectionId) {
        return byId.get(connectionId);
    }

    public DeviceConnection remove(String connectionId) {
        DeviceConnection c = byId.remove(connectionId);
        if (c != null) {
            byAccount.computeIfPresent(c.accountId(), (k, list) -> {
                list.remove(c);
                return list.isEmpty() ? null : list;
            });
        }
        return c;
    }

    public List<DeviceConnection> ofAccount(String accountId) {
        List<DeviceConnection> list = byAccount.get(accountId);
        return list == null ? List.of() : list;
    }

    /** Hands a stream frame to every socket of its account on this replica. */
    public void deliver(Frame frame) {
        for (DeviceConnection c : ofAccount(frame.accountId())) {
            c.offer(frame);
        }
    }

    /** Sends a control frame to the account's sockets except those matching {@code except}. */
    public void control(String accountId, String text, String coalesceKey, Predicate<DeviceConnection> except) {
        for (DeviceConnection c : ofAccount(accountId)) {
            if (except == null || !except.test(c)) {
                c.sendControl(text, coalesceKey);
            }
        }
    }

    public Collection<DeviceConnection> all() {
        return byId.values();
    }

    /** Accounts with at least one socket here. */
    public int streams() {
        return byAccount.size();
    }

    public int size() {
        return byId.size();
    }

    public Set<String> devicesOnline(String accountId) {
        return ofAccount(accountId).stream().map(DeviceConnection::deviceId).collect(java.util.stream.Collectors.toSet());
    }
}
