package io.continuum.platform.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.Span;
import io.smallrye.mutiny.Uni;
import org.jboss.logging.MDC;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/** The hop helpers, on a real OpenTelemetry SDK exporting in memory (nothing faked). */
class TracesTest {

    private static final String PARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    private final InMemorySpanExporter exported = InMemorySpanExporter.create();
    private final OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exported)).build())
            .build();

    @Test
    void onEachHopIsAChildOfThePreviousOneAndTravelsInTheHeader() {
        Traces traces = new Traces(sdk, false);
        Span publish = traces.startProducer("state.events publish", PARENT);
        RecordHeaders headers = new RecordHeaders();
        Traces.inject(headers, publish);
        publish.end();
        Span consume = traces.startConsumer("state.events consume", headers);
        Span push = traces.startChild("frame push", consume);
        RecordHeaders fanout = new RecordHeaders();
        try (Scope s = push.makeCurrent()) {
            assertThat(traces.current()).isEqualTo(Traces.format(push.getSpanContext()));
            traces.injectCurrent(fanout);
        }
        push.end();
        consume.end();

        assertThat(publish.getSpanContext().getTraceId()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
        assertThat(exported.getFinishedSpanItems()).extracting(d -> d.getName() + "<" + d.getParentSpanId()).containsExactly(
                "state.events publish<b7ad6b7169203331",
                "frame push<" + consume.getSpanContext().getSpanId(),
                "state.events consume<" + publish.getSpanContext().getSpanId());
        assertThat(new String(headers.lastHeader(Traces.HEADER).value(), StandardCharsets.UTF_8))
                .isEqualTo("00-0af7651916cd43dd8448eb211c80319c-" + publish.getSpanContext().getSpanId() + "-01");
        assertThat(new String(fanout.lastHeader(Traces.HEADER).value(), StandardCharsets.UTF_8))
                .contains(push.getSpanContext().getSpanId());
    }

    @Test
    void offNothingIsStartedStoredOrSentEvenForATracedRecord() {
        Traces traces = new Traces(sdk, true);
        RecordHeaders headers = new RecordHeaders();
        headers.add(Traces.HEADER, PARENT.getBytes(StandardCharsets.UTF_8));
        Span recording = sdk.getTracer("test").spanBuilder("request").startSpan();
        RecordHeaders out = new RecordHeaders();
        try (Scope s = recording.makeCurrent()) {
            assertThat(traces.current()).isNull();
            traces.injectCurrent(out);
        }
        assertThat(traces.startProducer("p", PARENT).getSpanContext().isValid()).isFalse();
        Span consume = traces.startConsumer("c", headers);
        assertThat(consume.getSpanContext().isValid()).isFalse();
        assertThat(traces.startChild("frame push", recording).getSpanContext().isValid()).isFalse();
        assertThat(out.lastHeader(Traces.HEADER)).isNull();
        consume.end();
        assertThat(exported.getFinishedSpanItems()).isEmpty();
    }

    @Test
    void aBatchedEffectRunsInItsEventsSpanAndLogContextAndLeavesThemClean() {
        Traces traces = new Traces(sdk, false);
        RecordHeaders headers = new RecordHeaders();
        headers.add(Traces.HEADER, PARENT.getBytes(StandardCharsets.UTF_8));
        Span first = traces.startConsumer("state.events consume", headers);
        Span second = traces.startConsumer("state.events consume", headers);
        java.util.List<String> seen = new java.util.ArrayList<>();
        Uni<String> batch = Traces.within(first, "acct-1", "phone", () -> Uni.createFrom().item(() -> {
                    seen.add(Span.current().getSpanContext().getSpanId() + " " + MDC.get(LogContext.ACCOUNT_ID) + " "
                            + MDC.get(LogContext.DEVICE_ID) + " " + MDC.get(LogContext.TRACE_ID));
                    return "one";
                }))
                .chain(() -> Traces.within(second, "acct-2", null, () -> Uni.createFrom().item(() -> {
                    seen.add(Span.current().getSpanContext().getSpanId() + " " + MDC.get(LogContext.ACCOUNT_ID) + " "
                            + MDC.get(LogContext.DEVICE_ID));
                    return "two";
                })));

        assertThat(batch.await().indefinitely()).isEqualTo("two");
        assertThat(seen).containsExactly(
                first.getSpanContext().getSpanId() + " acct-1 phone 0af7651916cd43dd8448eb211c80319c",
                second.getSpanContext().getSpanId() + " acct-2 null");
        assertThat(Span.current().getSpanContext().isValid()).as("no span left current").isFalse();
        assertThat(MDC.get(LogContext.ACCOUNT_ID)).as("no account left in the log context").isNull();

        Uni<Object> failing = Traces.within(first, "acct-3", "tv", () -> Uni.createFrom().failure(new IllegalStateException("boom")));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> failing.await().indefinitely()).hasMessage("boom");
        assertThat(MDC.get(LogContext.ACCOUNT_ID)).as("cleared after a failed effect too").isNull();
        assertThat(Span.current().getSpanContext().isValid()).isFalse();
    }
}
