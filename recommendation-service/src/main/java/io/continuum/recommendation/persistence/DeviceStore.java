package io.continuum.recommendation.persistence;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/** The {@code device} table: the kind of each registered device. */
@ApplicationScoped
public class DeviceStore {

    private final Pool pool;

    public DeviceStore(Pool pool) {
        this.pool = pool;
    }

    /** Inside a transaction. */
    public Uni<Integer> register(String account, String deviceId, String kind) {
        return Panache.getSession().chain(s -> s.createNativeQuery("""
                        insert into device (account_id, device_id, kind) values (:account, :device, :kind)
                        on conflict (account_id, device_id) do update set kind = excluded.kind""")
                .setParameter("account", account).setParameter("device", deviceId).setParameter("kind", kind)
                .executeUpdate());
    }

    public Uni<Optional<String>> kind(String account, String deviceId) {
        return pool.preparedQuery("select kind from device where account_id = $1 and device_id = $2")
                .execute(Tuple.of(account, deviceId))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next().getString(0)));
    }
}
