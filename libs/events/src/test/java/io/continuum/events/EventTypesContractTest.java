package io.continuum.events;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.InputStream;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Every registered type is well formed and round-trips through the codec. */
class EventTypesContractTest {

    private final EventCodec codec = new EventCodec();

    static List<EventType<?>> types() {
        return EventTypes.all();
    }

    @Test
    void registryIsNotEmptyAndUsesOnlyKnownTopics() {
        assertThat(EventTypes.all()).isNotEmpty();
        assertThat(EventTypes.all()).allSatisfy(t -> assertThat(Topics.all()).contains(t.topic()));
        assertThat(Topics.all()).allSatisfy(topic -> assertThat(EventTypes.onTopic(topic)).isNotEmpty());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("types")
    void everyTypeHasASample(EventType<?> type) {
        assertThat(Samples.has(type)).as("sample payload for %s in Samples", type.type()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("types")
    void typeNameFollowsTheConventionAndHasASchema(EventType<?> type) throws Exception {
        assertThat(type.type()).matches("continuum\\.[a-z][a-z0-9-]*\\.[a-z][a-z0-9-]*\\.v[1-9][0-9]*");
        assertThat(type.schemaResource()).isEqualTo("/schemas/" + type.type() + ".json");
        try (InputStream in = getClass().getResourceAsStream(type.schemaResource())) {
            assertThat(in).as("schema resource %s", type.schemaResource()).isNotNull();
            String schema = new String(in.readAllBytes());
            assertThat(schema)
                    .contains("https://json-schema.org/draft/2020-12/schema")
                    .contains("\"additionalProperties\": true")
                    .contains("\"title\": \"" + type.type() + "\"");
        }
        assertThat(EventTypes.find(type.type())).containsSame(type);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("types")
    void sampleValidatesEncodesAndDecodesBackEqual(EventType<?> type) {
        roundTrip(type);
    }

    private <T extends EventData> void roundTrip(EventType<T> type) {
        T sample = Samples.of(type);
        CloudEvent event = Samples.event(type);

        byte[] bytes = codec.encode(event);
        CloudEvent decoded = codec.decode(bytes);

        assertThat(decoded).isEqualTo(event);
        assertThat(decoded.key()).isEqualTo(Samples.ACCOUNT);
        assertThat(codec.decodeData(decoded, type)).contains(sample);
        assertThat(decoded.dataAs(type)).contains(sample);
    }

    @Test
    void findReturnsEmptyForUnknownOrNull() {
        assertThat(EventTypes.find("continuum.auth.unknown.v1")).isEmpty();
        assertThat(EventTypes.find(null)).isEmpty();
    }
}
