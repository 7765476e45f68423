package io.continuum.platform.outbox;

import io.continuum.events.CloudEvent;
import io.continuum.events.EventCodec;
import io.continuum.events.EventData;
import io.continuum.events.EventType;
import io.continuum.platform.sql.SqlTransactions;
import io.continuum.platform.tracing.Traces;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import java.util.List;
import java.util.UUID;

/**
 * Writes events to the transactional outbox. Call it inside the transaction that changes the state
 * ({@code @WithTransaction} or {@code Panache.withTransaction}): the event exists exactly when the
 * change does, and {@link OutboxRelay} publishes it after commit.
 */
@ApplicationScoped
public class Outbox {

    private static final String INSERT = "insert into outbox (lane, topic, message_key, event_id, event_type, payload, traceparent)"
            + " values ($1, $2, $3, $4, $5, $6, $7)";

    private final EventCodec codec = EventCodec.shared();
    private final OutboxConfig config;
    private final Traces traces;
    private final SqlTransactions transactions;

    public Outbox(OutboxConfig config, Traces traces, SqlTransactions transactions) {
        this.config = config;
        this.traces = traces;
        this.transactions = transactions;
    }

    /** Validates the event against its schema (refusing what the contract forbids) and stores it. */
    public <T extends EventData> Uni<CloudEvent> append(
            EventType<T> type, String accountId, String deviceId, Long revision, T data) {
        return append(event(type, accountId, deviceId, revision, data));
    }

    /** The event as this service publishes it (its {@code source}), not stored yet: for {@link #appendAll}. */
    public <T extends EventData> CloudEvent event(EventType<T> type, String accountId, String deviceId, Long revision, T data) {
        return CloudEvent.of(type, config.source(), accountId, deviceId, revision, data);
    }

    /** Stores {@code event}, carrying the current trace (when tracing is on and the event has none yet). */
    public Uni<CloudEvent> append(CloudEvent event) {
        CloudEvent traced = traced(event);
        OutboxEntry entry = entry(traced);
        return Panache.getSession()
                .chain(session -> session.persist(entry))
                .replaceWith(traced);
    }

    /**
     * Stores the event on {@code connection}, inside the transaction the caller holds on it: the hot write path of a
     * service that runs its SQL straight on the reactive pool (no ORM session), e.g. session-service's ops. The event is
     * checked against its schema and gets the current trace now; in a transaction of {@link SqlTransactions} its row is
     * sent with the COMMIT ({@link SqlTransactions#atCommit}: nothing reads it before), otherwise at once.
     */
    public <T extends EventData> Uni<CloudEvent> append(SqlConnection connection,
            EventType<T> type, String accountId, String deviceId, Long revision, T data) {
        CloudEvent event = traced(event(type, accountId, deviceId, revision, data));
        Tuple row = row(entry(event)); // throws EventContractViolation before anything is written
        return transactions.atCommit(connection, () -> connection.preparedQuery(INSERT).execute(row)).replaceWith(event);
    }

    /**
     * Stores {@code events} on {@code connection} in one round trip (a batch of the same insert), inside the caller's
     * transaction: the writer of a batch of changes (e.g. the presence of every socket that connected in one tick). An
     * event keeps the {@code traceparent} it carries (the request it belongs to); one without gets the current trace.
     */
    public Uni<List<CloudEvent>> appendAll(SqlConnection connection, List<CloudEvent> events) {
        if (events.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        List<CloudEvent> traced = events.stream().map(this::traced).toList();
        return connection.preparedQuery(INSERT).executeBatch(traced.stream().map(e -> row(entry(e))).toList()).replaceWith(traced);
    }

    /** The parameters of {@link #INSERT} for one entry. */
    private static Tuple row(OutboxEntry e) {
        return Tuple.from(new Object[] {e.lane, e.topic, e.messageKey, e.eventId, e.eventType, e.payload, e.traceparent});
    }

    private CloudEvent traced(CloudEvent event) {
        if (event.traceparent() == null) {
            String current = traces.current();
            if (current != null) {
                return event.withTraceparent(current);
            }
        }
        return event;
    }

    private OutboxEntry entry(CloudEvent event) {
        String payload = codec.encodeToString(event); // throws EventContractViolation before anything is written
        OutboxEntry entry = new OutboxEntry();
        entry.lane = lane(event.subject(), config.lanes());
        entry.topic = topicOf(event);
        entry.messageKey = event.subject();
        entry.eventId = UUID.fromString(event.id());
        entry.eventType = event.type();
        entry.payload = payload;
        entry.traceparent = event.traceparent();
        return entry;
    }

    static short lane(String accountId, int lanes) {
        return (short) Math.floorMod(accountId.hashCode(), lanes);
    }

    private static String topicOf(CloudEvent event) {
        return io.continuum.events.EventTypes.find(event.type())
                .map(EventType::topic)
                .orElseThrow(() -> new IllegalArgumentException("unregistered event type " + event.type()));
    }
}
