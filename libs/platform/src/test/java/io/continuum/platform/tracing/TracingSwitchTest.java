package io.continuum.platform.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one switch: an OTLP endpoint turns tracing on; nothing set keeps it off; an explicit setting wins. */
class TracingSwitchTest {

    @Test
    void offWithoutAnEndpoint() {
        assertThat(sdkDisabled(Map.of())).isTrue();
    }

    @Test
    void onWithTheEndpointOrTheTracesEndpoint() {
        assertThat(sdkDisabled(Map.of(TracingSwitch.ENDPOINT, "http://collector:4317"))).isFalse();
        assertThat(sdkDisabled(Map.of(TracingSwitch.TRACES_ENDPOINT, "http://collector:4317/v1/traces"))).isFalse();
    }

    @Test
    void anExplicitSettingWinsBothWays() {
        assertThat(sdkDisabled(Map.of(TracingSwitch.SDK_DISABLED, "false"))).isFalse();
        assertThat(sdkDisabled(Map.of(TracingSwitch.ENDPOINT, "http://collector:4317", TracingSwitch.SDK_DISABLED, "true")))
                .isTrue();
    }

    @Test
    void aMappingDefaultIsNotAnExplicitSetting() {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withInterceptors(new TracingSwitch())
                .withDefaultValue(TracingSwitch.SDK_DISABLED, "false") // what quarkus-opentelemetry declares
                .withDefaultValue(TracingSwitch.ENDPOINT, "http://localhost:4317/")
                .build();
        assertThat(config.getValue(TracingSwitch.SDK_DISABLED, Boolean.class)).isTrue();
    }

    private static boolean sdkDisabled(Map<String, String> properties) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withInterceptors(new TracingSwitch())
                .withDefaultValue(TracingSwitch.SDK_DISABLED, "false")
                .withDefaultValue(TracingSwitch.ENDPOINT, "http://localhost:4317/")
                .withSources(new PropertiesConfigSource(new HashMap<>(properties), "test", 250))
                .build();
        return config.getValue(TracingSwitch.SDK_DISABLED, Boolean.class);
    }
}
