package io.continuum.platform.idempotency;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.continuum.platform.problem.ProblemException;
import io.continuum.platform.security.Caller;
import io.continuum.platform.sql.SqlTransactions;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.Priority;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;
import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.resteasy.reactive.RestResponse;

/**
 * Implements {@link Idempotent}. The key row is inserted first: a concurrent request with the same key waits on
 * the unique index until the first commits, then replays its stored answer (or runs, if the first rolled back).
 * A failed request stores nothing, so a retry with the same key runs again.
 */
@Idempotent
@Interceptor
@Priority(Interceptor.Priority.PLATFORM_AFTER)
public class IdempotencyInterceptor {

    public static final String HEADER = "Idempotency-Key";
    public static final String REPLAYED_HEADER = "Idempotent-Replayed";
    private static final Pattern KEY = Pattern.compile("[\\x21-\\x7E]{1,200}");

    private final HttpServerRequest request;
    private final Caller caller;
    private final ObjectMapper mapper;
    private final SqlTransactions sql;

    public IdempotencyInterceptor(HttpServerRequest request, Caller caller, ObjectMapper mapper, SqlTransactions sql) {
        this.request = request;
        this.caller = caller;
        this.mapper = mapper;
        this.sql = sql;
    }

    @AroundInvoke
    @SuppressWarnings("unchecked")
    Object around(InvocationContext ctx) throws Exception {
        String key = request.getHeader(HEADER);
        if (key == null) {
            return ctx.proceed();
        }
        if (!KEY.matcher(key).matches()) {
            throw ProblemException.badRequest("Invalid Idempotency-Key", "must be 1-200 visible ASCII characters", HEADER);
        }
        String account = caller.accountId();
        String hash = requestHash(ctx);
        Idempotent binding = ctx.getMethod().getAnnotation(Idempotent.class);
        if (binding == null) {
            binding = ctx.getMethod().getDeclaringClass().getAnnotation(Idempotent.class);
        }
        if (binding != null && binding.store() == Idempotent.Store.SQL_CLIENT) {
            return sql.inTransaction(c -> once(ctx, onConnection(c, sql), account, key, hash));
        }
        return Panache.withTransaction(() -> Panache.getSession().chain(session -> once(ctx, onSession(session), account, key, hash)));
    }

    /** Claims the key, then runs the method and stores its answer, or replays the answer stored by the first request. */
    private Uni<Response> once(InvocationContext ctx, KeyTable table, String account, String key, String hash) {
        return table.update("delete from idempotency_key where account_id = $1 and idem_key = $2"
                        + " and created_at < now() - interval '24 hours'", account, key)
                .chain(() -> table.update("insert into idempotency_key (account_id, idem_key, request_hash)"
                        + " values ($1, $2, '') on conflict do nothing", account, key))
                .chain(claimed -> claimed == 1
                        ? proceed(ctx).chain(response -> {
                            MediaType type = response.getMediaType();
                            return table.updateAtCommit("update idempotency_key set request_hash = $1, status = $2, content_type = $3,"
                                            + " body = $4 where account_id = $5 and idem_key = $6", hash, (short) response.getStatus(),
                                            type == null ? MediaType.APPLICATION_JSON : type.toString(), toJson(response.getEntity()),
                                            account, key)
                                    .replaceWith(response);
                        })
                        : table.row("select request_hash, status, content_type, body from idempotency_key"
                                        + " where account_id = $1 and idem_key = $2", account, key)
                                .map(row -> replayed(hash, (String) row[0], row[1], (String) row[2], row[3])));
    }

    /**
     * The key table's statements ({@code $n} parameters), run in the transaction that writes the method's effect:
     * Hibernate's session or a pool connection ({@link Idempotent#store}).
     */
    private interface KeyTable {
        Uni<Integer> update(String sql, Object... args);

        /** An update whose count nobody reads, sent with the COMMIT where the store can ({@link SqlTransactions#atCommit}). */
        Uni<Void> updateAtCommit(String sql, Object... args);

        Uni<Object[]> row(String sql, Object... args);
    }

    private static KeyTable onConnection(SqlConnection c, SqlTransactions transactions) {
        return new KeyTable() {
            public Uni<Integer> update(String sql, Object... args) {
                return c.preparedQuery(sql).execute(Tuple.from(args)).map(rows -> rows.rowCount());
            }

            public Uni<Void> updateAtCommit(String sql, Object... args) {
                return transactions.atCommit(c, () -> update(sql, args));
            }

            public Uni<Object[]> row(String sql, Object... args) {
                return c.preparedQuery(sql).execute(Tuple.from(args)).map(rows -> {
                    Row r = rows.iterator().next();
                    Object[] values = new Object[r.size()];
                    for (int i = 0; i < values.length; i++) {
                        values[i] = r.getValue(i);
                    }
                    return values;
                });
            }
        };
    }

    private static KeyTable onSession(Mutiny.Session session) {
        return new KeyTable() {
            public Uni<Integer> update(String sql, Object... args) {
                Mutiny.MutationQuery query = session.createNativeQuery(ordinal(sql));
                bind(query, args);
                return query.executeUpdate();
            }

            public Uni<Void> updateAtCommit(String sql, Object... args) {
                return update(sql, args).replaceWithVoid();
            }

            public Uni<Object[]> row(String sql, Object... args) {
                Mutiny.SelectionQuery<Object[]> query = session.createNativeQuery(ordinal(sql), Object[].class);
                bind(query, args);
                return query.getSingleResult();
            }
        };
    }

    /** {@code $1} (PostgreSQL's own, the pool's) as {@code ?1} (Hibernate's ordinal parameter). */
    private static String ordinal(String sql) {
        return sql.replaceAll("\\$(\\d+)", "?$1");
    }

    private static void bind(Mutiny.AbstractQuery query, Object... args) {
        for (int i = 0; i < args.length; i++) {
            query.setParameter(i + 1, args[i]);
        }
    }

    @SuppressWarnings("unchecked")
    private static Uni<Response> proceed(InvocationContext ctx) {
        try {
            return ((Uni<Object>) ctx.proceed()).map(IdempotencyInterceptor::asResponse);
        } catch (Exception e) {
            return Uni.createFrom().failure(e);
        }
    }

    private static Response replayed(String hash, String storedHash, Object status, String contentType, Object body) {
        if (!hash.equals(storedHash)) {
            throw new ProblemException(422, "idempotency-key-reused", "Idempotency-Key reused",
                    "this Idempotency-Key was already used for a different request", null);
        }
        return Response.status(((Number) status).intValue())
                .type(contentType)
                .entity(body)
                .header(REPLAYED_HEADER, "true")
                .build();
    }

    private static Response asResponse(Object result) {
        if (result instanceof Response r) {
            return r;
        }
        if (result instanceof RestResponse<?> r) {
            return r.toResponse();
        }
        return result == null ? Response.noContent().build() : Response.ok(result).build();
    }

    private String requestHash(InvocationContext ctx) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update((request.method().name() + " " + request.path() + "\n").getBytes(StandardCharsets.UTF_8));
            sha.update(mapper.writeValueAsBytes(ctx.getParameters()));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException | JsonProcessingException e) {
            throw new IllegalStateException("cannot hash request", e);
        }
    }

    private String toJson(Object entity) {
        if (entity == null) {
            return null;
        }
        if (entity instanceof String s) {
            return s;
        }
        try {
            return mapper.writeValueAsString(entity);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot store response", e);
        }
    }
}
