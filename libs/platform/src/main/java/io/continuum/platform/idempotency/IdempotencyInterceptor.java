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
            return sql.inTransaction(c -> claim(c, account, key)
                    .chain(claimed -> claimed
                            ? proceed(ctx).chain(response -> store(c, account, key, hash, response))
                            : replay(c, account, key, hash)));
        }
        return Panache.withTransaction(() -> Panache.getSession().chain(session -> claim(session, account, key)
                .chain(claimed -> claimed
                        ? proceed(ctx).chain(response -> store(session, account, key, hash, response))
                        : replay(session, account, key, hash))));
    }

    private Uni<Boolean> claim(Mutiny.Session session, String account, String key) {
        return session.createNativeQuery("delete from idempotency_key where account_id = :a and idem_key = :k"
                        + " and created_at < now() - interval '24 hours'")
                .setParameter("a", account).setParameter("k", key).executeUpdate()
                .chain(() -> session.createNativeQuery("insert into idempotency_key (account_id, idem_key, request_hash)"
                                + " values (:a, :k, '') on conflict do nothing")
                        .setParameter("a", account).setParameter("k", key).executeUpdate())
                .map(inserted -> inserted == 1);
    }

    // The same three statements on a pool connection, for @Idempotent(store = SQL_CLIENT).

    private Uni<Boolean> claim(SqlConnection c, String account, String key) {
        return c.preparedQuery("delete from idempotency_key where account_id = $1 and idem_key = $2"
                        + " and created_at < now() - interval '24 hours'").execute(Tuple.of(account, key))
                .chain(() -> c.preparedQuery("insert into idempotency_key (account_id, idem_key, request_hash)"
                        + " values ($1, $2, '') on conflict do nothing").execute(Tuple.of(account, key)))
                .map(rows -> rows.rowCount() == 1);
    }

    private Uni<Response> store(SqlConnection c, String account, String key, String hash, Response response) {
        MediaType type = response.getMediaType();
        return c.preparedQuery("update idempotency_key set request_hash = $1, status = $2, content_type = $3, body = $4"
                        + " where account_id = $5 and idem_key = $6")
                .execute(Tuple.from(new Object[] {hash, (short) response.getStatus(),
                        type == null ? MediaType.APPLICATION_JSON : type.toString(), toJson(response.getEntity()), account, key}))
                .replaceWith(response);
    }

    private Uni<Response> replay(SqlConnection c, String account, String key, String hash) {
        return c.preparedQuery("select request_hash, status, content_type, body from idempotency_key"
                        + " where account_id = $1 and idem_key = $2").execute(Tuple.of(account, key))
                .map(rows -> {
                    Row row = rows.iterator().next();
                    return replayed(hash, row.getString(0), row.getValue(1), row.getString(2), row.getString(3));
                });
    }

    @SuppressWarnings("unchecked")
    private static Uni<Response> proceed(InvocationContext ctx) {
        try {
            return ((Uni<Object>) ctx.proceed()).map(IdempotencyInterceptor::asResponse);
        } catch (Exception e) {
            return Uni.createFrom().failure(e);
        }
    }

    private Uni<Response> store(Mutiny.Session session, String account, String key, String hash, Response response) {
        String body = toJson(response.getEntity());
        MediaType type = response.getMediaType();
        return session.createNativeQuery("update idempotency_key set request_hash = :h, status = :s, content_type = :t, body = :b"
                        + " where account_id = :a and idem_key = :k")
                .setParameter("h", hash).setParameter("s", (short) response.getStatus())
                .setParameter("t", type == null ? MediaType.APPLICATION_JSON : type.toString())
                .setParameter("b", body).setParameter("a", account).setParameter("k", key)
                .executeUpdate()
                .replaceWith(response);
    }

    private Uni<Response> replay(Mutiny.Session session, String account, String key, String hash) {
        return session.createNativeQuery("select request_hash, status, content_type, body from idempotency_key"
                        + " where account_id = :a and idem_key = :k", Object[].class)
                .setParameter("a", account).setParameter("k", key)
                .getSingleResult()
                .map(row -> replayed(hash, (String) row[0], row[1], (String) row[2], row[3]));
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
