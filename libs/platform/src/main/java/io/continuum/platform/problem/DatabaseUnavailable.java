package io.continuum.platform.problem;

import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.net.SocketException;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Tells a failure that means "PostgreSQL cannot be reached right now" (stopped, restarting, failing over, out of
 * connections) from a bug. Such a request is answered 503 problem+json with {@code Retry-After}, so clients retry
 * instead of treating it as a server error; a bug stays a 500. Looks through the whole cause chain, since Hibernate
 * Reactive and Mutiny wrap the driver's exception. A socket failure is counted whatever the peer (the database is
 * the usual one; a Keycloak admin call cut the same way is just as transient).
 */
public final class DatabaseUnavailable {

    private DatabaseUnavailable() {
    }

    public static boolean is(Throwable failure) {
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        for (Throwable t = failure; t != null && seen.put(t, Boolean.TRUE) == null; t = t.getCause()) {
            // refused (ConnectException) or cut (connection reset) sockets, as a stopped or restarting server gives
            if (t instanceof SocketException || t instanceof ClosedConnectionException) {
                return true;
            }
            if (t instanceof PgException pg && pg.getSqlState() != null && unavailableState(pg.getSqlState())) {
                return true;
            }
        }
        return false;
    }

    /**
     * SQLSTATE classes 08 (connection exception), 57P (operator intervention: admin shutdown, crash shutdown, cannot
     * connect now) and 53 (insufficient resources, e.g. too many connections).
     */
    static boolean unavailableState(String state) {
        return state.startsWith("08") || state.startsWith("57P") || state.startsWith("53");
    }
}
