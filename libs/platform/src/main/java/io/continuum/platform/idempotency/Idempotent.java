package io.continuum.platform.idempotency;

import jakarta.enterprise.util.Nonbinding;
import jakarta.interceptor.InterceptorBinding;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a mutating REST method (returning {@code Uni<Response>} or {@code Uni<RestResponse<T>>}) as honouring
 * the {@code Idempotency-Key} header: the first response is stored with the effect, in one transaction, and
 * replayed for 24 h; the same key with a different request gets 422.
 */
@InterceptorBinding
@Target({ElementType.METHOD, ElementType.TYPE})
@Retention(RetentionPolicy.RUNTIME)
public @interface Idempotent {

    /** Where the method writes its effect, so the key row joins that transaction. */
    @Nonbinding
    Store store() default Store.HIBERNATE;

    enum Store {
        /** The method writes through Hibernate Reactive ({@code Panache.withTransaction}). */
        HIBERNATE,
        /** The method writes on the reactive pool through {@link io.continuum.platform.sql.SqlTransactions}. */
        SQL_CLIENT
    }
}
