package io.continuum.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.continuum.events.auth.DeviceKind;
import io.continuum.events.auth.DeviceRegistered;
import io.continuum.events.auth.DeviceSignedIn;
import io.continuum.events.billing.EntitlementChanged;
import io.continuum.events.state.PlaybackPositionChanged;
import io.continuum.events.state.PlaybackState;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventCodecTest {

    private final EventCodec codec = new EventCodec();
    private final ObjectMapper json = new ObjectMapper();

    // --- envelope ----------------------------------------------------------------------------

    @Test
    void envelopeUsesCloudEventsAttributeNamesAndKeepsExtensions() throws Exception {
        CloudEvent event = Samples.event(EventTypes.DEVICE_SIGNED_IN)
                .withTraceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");

        JsonNode node = json.readTree(codec.encode(event));

        assertThat(node.get("specversion").asText()).isEqualTo("1.0");
        assertThat(node.get("id").asText()).isEqualTo(event.id());
        assertThat(node.get("source").asText()).isEqualTo("/test");
        assertThat(node.get("type").asText()).isEqualTo("continuum.auth.device-signed-in.v1");
        assertThat(node.get("subject").asText()).isEqualTo(Samples.ACCOUNT);
        assertThat(node.get("time").asText()).isEqualTo(event.time().toString());
        assertThat(node.get("datacontenttype").asText()).isEqualTo("application/json");
        assertThat(node.get("deviceid").asText()).isEqualTo(Samples.DEVICE);
        assertThat(node.get("revision").isIntegralNumber()).isTrue();
        assertThat(node.get("revision").asLong()).isEqualTo(7L);
        assertThat(node.get("traceparent").asText()).startsWith("00-0af7");
        assertThat(node.get("data").get("sessionId").asText()).isEqualTo("sid-2");

        CloudEvent back = codec.decode(codec.encodeToString(event));
        assertThat(back).isEqualTo(event);
        assertThat(back.deviceid()).isEqualTo(Samples.DEVICE);
        assertThat(back.revision()).isEqualTo(7L);
        assertThat(back.traceparent()).isEqualTo(event.traceparent());
    }

    @Test
    void nullExtensionsAreOmitted() throws Exception {
        CloudEvent event = CloudEvent.of(EventTypes.DEVICE_SIGNED_IN, "/auth-service", "acc-1", null, null,
                new DeviceSignedIn("d", "s"));

        JsonNode node = json.readTree(codec.encode(event));

        assertThat(node.has("deviceid")).isFalse();
        assertThat(node.has("revision")).isFalse();
        assertThat(node.has("traceparent")).isFalse();
        assertThat(codec.decode(codec.encode(event))).isEqualTo(event);
    }

    @Test
    void ofFillsIdTimeSpecversionAndContentType() {
        CloudEvent a = Samples.event(EventTypes.DEVICE_SIGNED_IN);
        CloudEvent b = Samples.event(EventTypes.DEVICE_SIGNED_IN);

        assertThat(a.id()).isNotEqualTo(b.id()).hasSize(36);
        assertThat(a.specversion()).isEqualTo("1.0");
        assertThat(a.datacontenttype()).isEqualTo("application/json");
        assertThat(a.time()).isBeforeOrEqualTo(Instant.now());
        assertThat(a.subject()).isEqualTo(a.key()).isEqualTo(Samples.ACCOUNT);
    }

    @Test
    void nullOptionalPayloadFieldsAreOmittedAndReadBackAsNull() {
        EntitlementChanged openEnded = new EntitlementChanged("premium", true, "prod-life", null);
        CloudEvent event = CloudEvent.of(EventTypes.ENTITLEMENT_CHANGED, "/billing", "acc-1", null, 3L, openEnded);

        assertThat(event.data().has("expiresAt")).isFalse();
        assertThat(codec.decode(codec.encode(event)).dataAs(EventTypes.ENTITLEMENT_CHANGED)).contains(openEnded);
    }

    // --- producer side: strict ---------------------------------------------------------------

    @Test
    void negativePositionIsRefusedNamingTheField() {
        CloudEvent event = CloudEvent.of(EventTypes.PLAYBACK_POSITION_CHANGED, "/session", "acc-1", "dev-1", 1L,
                new PlaybackPositionChanged("movie-1", -1, 1000, PlaybackState.PLAYING, "op-1"));

        assertThatThrownBy(() -> codec.encode(event))
                .isInstanceOf(EventContractViolation.class)
                .hasMessageContaining("continuum.playback.position-changed.v1")
                .hasMessageContaining("data.positionMs")
                .satisfies(e -> assertThat(((EventContractViolation) e).violations())
                        .singleElement().asString().startsWith("data.positionMs"));
    }

    @Test
    void badEnumValueIsRefusedNamingTheField() {
        ObjectNode data = (ObjectNode) codec.toJson(
                new DeviceRegistered("dev-1", DeviceKind.TV, "tizen", "Living room", "sid-1"));
        data.put("kind", "fridge");

        assertThatThrownBy(() -> codec.encode(withData(Samples.event(EventTypes.DEVICE_REGISTERED), data)))
                .isInstanceOf(EventContractViolation.class)
                .hasMessageContaining("data.kind");
    }

    @Test
    void missingRequiredFieldIsRefusedNamingTheField() {
        CloudEvent event = CloudEvent.of(EventTypes.DEVICE_REGISTERED, "/auth", "acc-1", "dev-1", null,
                new DeviceRegistered("dev-1", DeviceKind.WEB, "browser", null, "sid-1"));

        assertThatThrownBy(() -> codec.encode(event))
                .isInstanceOf(EventContractViolation.class)
                .hasMessageContaining("data.displayName");
    }

    @Test
    void allViolationsAreListedAtOnce() {
        CloudEvent event = CloudEvent.of(EventTypes.PLAYBACK_POSITION_CHANGED, "/session", "acc-1", "dev-1", 1L,
                new PlaybackPositionChanged("", -5, -1, null, "op-1"));

        assertThatThrownBy(() -> codec.encode(event))
                .isInstanceOfSatisfying(EventContractViolation.class, e -> assertThat(e.violations())
                        .anyMatch(v -> v.startsWith("data.contentId"))
                        .anyMatch(v -> v.startsWith("data.positionMs"))
                        .anyMatch(v -> v.startsWith("data.durationMs"))
                        .anyMatch(v -> v.startsWith("data.state")));
    }

    @Test
    void badDateTimeFormatIsRefused() {
        ObjectNode data = (ObjectNode) codec.toJson(Samples.of(EventTypes.ENTITLEMENT_CHANGED));
        data.put("expiresAt", "next tuesday");

        assertThatThrownBy(() -> codec.encode(withData(Samples.event(EventTypes.ENTITLEMENT_CHANGED), data)))
                .isInstanceOf(EventContractViolation.class)
                .hasMessageContaining("data.expiresAt");
    }

    @Test
    void unknownTypeIsRefusedByTheProducer() {
        CloudEvent base = Samples.event(EventTypes.DEVICE_SIGNED_IN);
        CloudEvent unknown = new CloudEvent(base.specversion(), base.id(), base.source(), "continuum.auth.teleported.v1",
                base.subject(), base.time(), base.datacontenttype(), null, null, null, base.data());

        assertThatThrownBy(() -> codec.encode(unknown))
                .isInstanceOf(EventContractViolation.class)
                .hasMessageContaining("unknown event type 'continuum.auth.teleported.v1'");
    }

    @Test
    void missingEnvelopeFieldsAreRefusedByTheProducer() {
        CloudEvent base = Samples.event(EventTypes.DEVICE_SIGNED_IN);
        CloudEvent broken = new CloudEvent("0.3", " ", null, base.type(), null, null, "text/plain", null, -1L, null,
                base.data());

        assertThatThrownBy(() -> codec.encode(broken))
                .isInstanceOfSatisfying(EventContractViolation.class, e -> assertThat(e.violations())
                        .anyMatch(v -> v.startsWith("specversion"))
                        .anyMatch(v -> v.startsWith("id"))
                        .anyMatch(v -> v.startsWith("source"))
                        .anyMatch(v -> v.startsWith("subject"))
                        .anyMatch(v -> v.startsWith("time"))
                        .anyMatch(v -> v.startsWith("datacontenttype"))
                        .anyMatch(v -> v.startsWith("revision")));
    }

    @Test
    void additiveFieldsInDataAreAllowedByTheSchema() {
        ObjectNode data = (ObjectNode) codec.toJson(Samples.of(EventTypes.DEVICE_SIGNED_IN));
        data.put("addedInALaterRelease", "x");

        CloudEvent event = withData(Samples.event(EventTypes.DEVICE_SIGNED_IN), data);

        assertThat(codec.decode(codec.encode(event))).isEqualTo(event);
    }

    // --- consumer side: tolerant -------------------------------------------------------------

    @Test
    void unknownTypeAndUnknownAttributesAreAcceptedByTheConsumer() {
        String jsonText = """
                {"specversion":"1.0","id":"e-1","source":"/future-service","type":"continuum.future.thing.v3",
                 "subject":"acc-1","time":"2026-01-02T03:04:05.678+01:00","datacontenttype":"application/json",
                 "someextension":"x","revision":"12","data":{"anything":[1,2,3]}}
                """;

        CloudEvent event = codec.decode(jsonText.getBytes(StandardCharsets.UTF_8));

        assertThat(event.type()).isEqualTo("continuum.future.thing.v3");
        assertThat(EventTypes.find(event.type())).isEmpty();
        assertThat(event.time()).isEqualTo(Instant.parse("2026-01-02T02:04:05.678Z"));
        assertThat(event.revision()).isEqualTo(12L);
        assertThat(event.deviceid()).isNull();
        assertThat(event.dataAs(EventTypes.DEVICE_SIGNED_IN)).isEmpty();
    }

    @Test
    void unknownFieldsInDataAreIgnoredWhenBinding() {
        String jsonText = """
                {"specversion":"1.0","id":"e-2","source":"/auth","type":"continuum.auth.device-signed-in.v1",
                 "subject":"acc-1","time":"2026-01-02T03:04:05Z","datacontenttype":"application/json",
                 "data":{"deviceId":"d-1","sessionId":"s-1","newField":{"nested":true}}}
                """;

        CloudEvent event = codec.decode(jsonText);

        assertThat(codec.decodeData(event, EventTypes.DEVICE_SIGNED_IN)).contains(new DeviceSignedIn("d-1", "s-1"));
    }

    @Test
    void unknownEnumValueReadsAsNullInsteadOfFailing() {
        String jsonText = """
                {"id":"e-3","type":"continuum.auth.device-registered.v1","subject":"acc-1",
                 "data":{"deviceId":"d-1","kind":"car","platform":"auto","displayName":"Car","sessionId":"s"}}
                """;

        assertThat(codec.decode(jsonText).dataAs(EventTypes.DEVICE_REGISTERED))
                .hasValueSatisfying(d -> assertThat(d.kind()).isNull());
    }

    @Test
    void decodeRefusesNonJsonAndMissingKeyAttributes() {
        assertThatThrownBy(() -> codec.decode("not json".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(EventContractViolation.class).hasMessageContaining("not JSON");
        assertThatThrownBy(() -> codec.decode("[1,2]"))
                .isInstanceOf(EventContractViolation.class).hasMessageContaining("not a JSON object");
        assertThatThrownBy(() -> codec.decode("{\"type\":\"continuum.auth.device-signed-in.v1\"}"))
                .isInstanceOfSatisfying(EventContractViolation.class, e -> assertThat(e.violations())
                        .containsExactly("id: required attribute missing", "subject: required attribute missing"));
    }

    @Test
    void dataThatCannotBeBoundIsAViolation() {
        String jsonText = """
                {"id":"e-4","type":"continuum.playback.position-changed.v1","subject":"acc-1",
                 "data":{"contentId":"m","positionMs":"far","durationMs":1,"state":"playing","opId":"o"}}
                """;

        assertThatThrownBy(() -> codec.decode(jsonText).dataAs(EventTypes.PLAYBACK_POSITION_CHANGED))
                .isInstanceOf(EventContractViolation.class)
                .hasMessageContaining("PlaybackPositionChanged");
    }

    @Test
    void oneCodecServesManyThreads() {
        java.util.List<Boolean> results = java.util.stream.IntStream.range(0, 2_000).parallel()
                .mapToObj(i -> {
                    CloudEvent e = CloudEvent.of(EventTypes.PLAYBACK_POSITION_CHANGED, "/session", "acc-" + i, null,
                            (long) i, new PlaybackPositionChanged("m-" + i, i, 10_000, PlaybackState.PLAYING, "op-" + i));
                    return codec.decode(codec.encode(e)).equals(e);
                })
                .toList();

        assertThat(results).containsOnly(true);
    }

    @Test
    void sharedCodecIsASingleton() {
        assertThat(EventCodec.shared()).isSameAs(EventCodec.shared());
    }

    @Test
    void stateChangedCarriesAnyJsonValue() {
        var delta = json.valueToTree(Map.of("x", 1.5, "y", -2, "zone", "forest"));
        var payload = new io.continuum.events.state.StateChanged(
                io.continuum.events.state.StateChanged.WORLD_POSITION, "op-1", "world-1", delta);
        CloudEvent event = CloudEvent.of(EventTypes.STATE_CHANGED, "/session", "acc-1", "dev-1", 99L, payload);

        assertThat(codec.decode(codec.encode(event)).dataAs(EventTypes.STATE_CHANGED)).contains(payload);
    }

    private static CloudEvent withData(CloudEvent e, JsonNode data) {
        return new CloudEvent(e.specversion(), e.id(), e.source(), e.type(), e.subject(), e.time(),
                e.datacontenttype(), e.deviceid(), e.revision(), e.traceparent(), data);
    }
}
