package io.continuum.platform.tracing;

import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;

/**
 * Tracing is off unless an OTLP endpoint is configured: ONE setting
 * ({@code QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT} or {@code ..._TRACES_ENDPOINT}) turns it on. Without an endpoint
 * {@code quarkus.otel.sdk.disabled} reads {@code true}, so the OpenTelemetry API is the no-op one and every span call
 * of the hot paths costs nothing. An explicit {@code quarkus.otel.sdk.disabled} (tests, an operator) always wins.
 * Registered in {@code META-INF/services/io.smallrye.config.ConfigSourceInterceptor}.
 */
public class TracingSwitch implements ConfigSourceInterceptor {

    static final String SDK_DISABLED = "quarkus.otel.sdk.disabled";
    static final String ENDPOINT = "quarkus.otel.exporter.otlp.endpoint";
    static final String TRACES_ENDPOINT = "quarkus.otel.exporter.otlp.traces.endpoint";

    @Override
    public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
        ConfigValue value = context.proceed(name);
        if (!SDK_DISABLED.equals(name) || explicit(value)) {
            return value;
        }
        // quarkus-opentelemetry declares http://localhost:4317/ as the endpoint's default: only a set one counts
        boolean endpoint = explicit(context.proceed(ENDPOINT)) || explicit(context.proceed(TRACES_ENDPOINT));
        return ConfigValue.builder()
                .withName(SDK_DISABLED)
                .withValue(Boolean.toString(!endpoint))
                .withConfigSourceName("continuum tracing switch (on when an OTLP endpoint is set)")
                .build();
    }

    /** A value some real source gave (not a mapping's default: default sources have negative ordinals). */
    private static boolean explicit(ConfigValue value) {
        return hasText(value) && value.getConfigSourceOrdinal() >= 0;
    }

    private static boolean hasText(ConfigValue value) {
        return value != null && value.getValue() != null && !value.getValue().isBlank();
    }
}
