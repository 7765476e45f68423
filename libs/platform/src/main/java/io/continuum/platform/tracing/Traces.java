package io.continuum.platform.tracing;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The hops OpenTelemetry does not instrument by itself: outbox row → relay → Kafka record → hand-run consumer →
 * frame push. Context travels as a W3C {@code traceparent} (stored with the outbox row, in the CloudEvent extension
 * and in the Kafka record header {@value #HEADER}); each hop starts a span whose parent is the previous hop's.
 *
 * <p>Free when tracing is off ({@link TracingSwitch}): every method returns at once (the invalid span, no header, no
 * {@code traceparent}), even for records that carry a context from a traced producer.
 */
@ApplicationScoped
public class Traces {

    public static final String HEADER = "traceparent";
    private static final TextMapGetter<String> TRACEPARENT = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(String carrier) {
            return List.of(HEADER);
        }

        @Override
        public String get(String carrier, String key) {
            return HEADER.equals(key) ? carrier : null;
        }
    };

    private final Tracer tracer;
    private final boolean on;

    @Inject
    public Traces(OpenTelemetry openTelemetry, @ConfigProperty(name = "quarkus.otel.sdk.disabled") boolean sdkDisabled) {
        this.tracer = openTelemetry.getTracer("io.continuum.platform");
        this.on = !sdkDisabled;
    }

    /** Tracing on, with {@code openTelemetry} (tests). */
    public Traces(OpenTelemetry openTelemetry) {
        this(openTelemetry, false);
    }

    /** The W3C {@code traceparent} of the current span; {@code null} when there is none or tracing is off. */
    public String current() {
        return on ? format(Span.current().getSpanContext()) : null;
    }

    /** Puts the current span's context in the record headers (nothing when tracing is off or no span is current). */
    public void injectCurrent(Headers headers) {
        if (on) {
            inject(headers, Span.current());
        }
    }

    /** {@code 00-<trace id>-<span id>-<flags>}, or {@code null} for an invalid context. */
    public static String format(SpanContext context) {
        if (!context.isValid()) {
            return null;
        }
        return "00-" + context.getTraceId() + "-" + context.getSpanId() + "-" + context.getTraceFlags().asHex();
    }

    /** A PRODUCER span continuing {@code parentTraceparent} (e.g. the relay publishing a stored row). */
    public Span startProducer(String name, String parentTraceparent) {
        if (!on || parentTraceparent == null) {
            return Span.getInvalid();
        }
        return tracer.spanBuilder(name).setSpanKind(SpanKind.PRODUCER).setParent(parent(parentTraceparent)).startSpan();
    }

    /** A CONSUMER span continuing the trace of a Kafka record's {@value #HEADER} header; invalid when it has none. */
    public Span startConsumer(String name, Headers headers) {
        Header header = on ? headers.lastHeader(HEADER) : null;
        if (header == null) {
            return Span.getInvalid();
        }
        return tracer.spanBuilder(name).setSpanKind(SpanKind.CONSUMER)
                .setParent(parent(new String(header.value(), StandardCharsets.UTF_8))).startSpan();
    }

    /**
     * Handles one Kafka record inside a CONSUMER span named {@code <topic> consume} that continues its producer's
     * trace, with the account (the record key) and trace id in the log context; a failure marks the span failed
     * and is rethrown. Just runs {@code handler} when tracing is off or the record carries no context.
     */
    public void consume(ConsumerRecord<String, ?> record, Runnable handler) {
        Span span = startConsumer(record.topic() + " consume", record.headers());
        LogContext.consume(span, record.key(), null);
        try (Scope scope = span.makeCurrent()) {
            handler.run();
            span.end();
        } catch (RuntimeException e) {
            fail(span, e);
            throw e;
        } finally {
            LogContext.clear();
        }
    }

    /**
     * One event's effect inside a batch that a consumer applies in one transaction (e.g. recommendation-service's poll):
     * while the effect's Uni runs, {@code span} is current and the log context carries its trace id, the account and the
     * origin device, as {@link #consume} gives a single record. Both are cleared when the Uni ends, so the next event's
     * effect starts clean. The span is neither started nor ended here (the batch ends it once the transaction commits).
     */
    public static <T> Uni<T> within(Span span, String accountId, String deviceId, Supplier<Uni<T>> effect) {
        return Uni.createFrom().deferred(() -> {
            Scope scope = span.makeCurrent();
            LogContext.consume(span, accountId, deviceId);
            Runnable clear = () -> {
                scope.close();
                LogContext.clear();
            };
            Uni<T> work;
            try {
                work = effect.get();
            } catch (RuntimeException e) {
                clear.run();
                return Uni.createFrom().failure(e);
            }
            return work.onTermination().invoke(clear);
        });
    }

    /** An INTERNAL child of {@code parent} (e.g. the frame push of a consume); invalid when the parent is. */
    public Span startChild(String name, Span parent) {
        if (!on || !parent.getSpanContext().isValid()) {
            return Span.getInvalid();
        }
        return tracer.spanBuilder(name).setParent(Context.root().with(parent)).startSpan();
    }

    /** Puts {@code span}'s context in the record headers, replacing any; nothing for an invalid span. */
    public static void inject(Headers headers, Span span) {
        String traceparent = format(span.getSpanContext());
        if (traceparent != null) {
            headers.remove(HEADER);
            headers.add(HEADER, traceparent.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Ends {@code span} as failed with {@code error}. */
    public static void fail(Span span, Throwable error) {
        if (span.getSpanContext().isValid()) {
            span.recordException(error);
            span.setStatus(StatusCode.ERROR);
        }
        span.end();
    }

    private static Context parent(String traceparent) {
        return W3CTraceContextPropagator.getInstance().extract(Context.root(), traceparent, TRACEPARENT);
    }
}
