package io.continuum.platform.tracing;

import io.opentelemetry.api.trace.Span;
import org.jboss.logging.MDC;

/**
 * What every log line of a request or a consume carries (MDC keys, also the JSON log fields): {@value #TRACE_ID},
 * {@value #ACCOUNT_ID}, {@value #DEVICE_ID}. Never tokens or message bodies. Requests are filled by
 * {@link RequestLogContext}; hand-run consumers call {@link #consume} per record and {@link #clear} after it.
 */
public final class LogContext {

    public static final String TRACE_ID = "traceId";
    public static final String ACCOUNT_ID = "accountId";
    public static final String DEVICE_ID = "deviceId";

    private LogContext() {
    }

    /** For one consumed record: the trace of {@code span} (when tracing is on), the account and the origin device. */
    public static void consume(Span span, String accountId, String deviceId) {
        if (span.getSpanContext().isValid()) {
            MDC.put(TRACE_ID, span.getSpanContext().getTraceId());
        } else {
            MDC.remove(TRACE_ID);
        }
        put(ACCOUNT_ID, accountId);
        put(DEVICE_ID, deviceId);
    }

    public static void put(String key, String value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }

    /** Removes what {@link #consume} put (consumer threads live long). */
    public static void clear() {
        MDC.remove(TRACE_ID);
        MDC.remove(ACCOUNT_ID);
        MDC.remove(DEVICE_ID);
    }
}
