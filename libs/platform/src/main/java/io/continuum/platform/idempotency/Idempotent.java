package io.continuum.platform.idempotency;

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
public @interface Idempotent {}
