package io.continuum.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * CloudEvents 1.0 JSON structured mode, strict on the way out and tolerant on the way in:
 * a producer can only emit what the schema of a registered type accepts, while a consumer reads
 * events of types or with fields it does not know yet (they come from newer producers).
 *
 * <p>Thread-safe; create one and share it, or use {@link #shared()}.
 */
public final class EventCodec {

    private static final class Shared {
        static final EventCodec INSTANCE = new EventCodec();
    }

    private final ObjectMapper mapper;
    private final SchemaCatalog schemas;

    public EventCodec() {
        this.mapper = JsonMapper.builder()
                .addModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                // Additive changes: newer producers may add fields or enum values.
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_AS_NULL)
                // Absent optional fields are omitted rather than written as null.
                .serializationInclusion(JsonInclude.Include.NON_NULL)
                .build();
        this.schemas = new SchemaCatalog(EventTypes.all());
    }

    /** The process-wide instance. */
    public static EventCodec shared() {
        return Shared.INSTANCE;
    }

    /** JSON bytes for the Kafka record value; refuses any event that breaks the contract. */
    public byte[] encode(CloudEvent event) {
        validate(event);
        try {
            return mapper.writeValueAsBytes(toEnvelope(event));
        } catch (JsonProcessingException e) {
            throw new EventContractViolation(event.type(), List.of("not serializable: " + e.getOriginalMessage()), e);
        }
    }

    /** {@link #encode} as a UTF-8 string, for String-serialized Kafka channels and outbox rows. */
    public String encodeToString(CloudEvent event) {
        return new String(encode(event), StandardCharsets.UTF_8);
    }

    /**
     * Checks the envelope and, for a registered type, the data against its JSON Schema.
     *
     * @throws EventContractViolation listing every failing field; also for an unregistered type
     */
    public void validate(CloudEvent event) {
        if (event == null) {
            throw new EventContractViolation(null, List.of("event: must not be null"));
        }
        List<String> violations = new ArrayList<>(EnvelopeRules.check(event));
        Optional<EventType<?>> type = EventTypes.find(event.type());
        if (event.type() != null && type.isEmpty()) {
            violations.add("type: unknown event type '" + event.type() + "' (register it in EventTypes)");
        }
        if (type.isPresent() && event.data() != null && event.data().isObject()) {
            violations.addAll(schemas.validate(type.get(), event.data()));
        }
        if (!violations.isEmpty()) {
            throw new EventContractViolation(event.type(), violations);
        }
    }

    /** {@link #decode(byte[])} for a String-valued record. */
    public CloudEvent decode(String json) {
        return decode(json == null ? null : json.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Reads a Kafka record value. Unknown types and unknown attributes are accepted (the consumer
     * decides to skip them); malformed optional attributes read as {@code null}.
     *
     * @throws EventContractViolation when the bytes are not a JSON object or lack id, type or subject
     */
    public CloudEvent decode(byte[] json) {
        JsonNode root;
        try {
            root = json == null ? null : mapper.readTree(json);
        } catch (IOException e) {
            throw new EventContractViolation(null, List.of("value: not JSON (" + e.getMessage() + ")"), e);
        }
        if (root == null || !root.isObject()) {
            throw new EventContractViolation(null, List.of("value: not a JSON object"));
        }
        String type = text(root, "type");
        List<String> missing = new ArrayList<>();
        for (String required : List.of("id", "type", "subject")) {
            if (isBlank(text(root, required))) {
                missing.add(required + ": required attribute missing");
            }
        }
        if (!missing.isEmpty()) {
            throw new EventContractViolation(type, missing);
        }
        JsonNode data = root.get("data");
        return new CloudEvent(text(root, "specversion"), text(root, "id"), text(root, "source"), type,
                text(root, "subject"), time(root.get("time")), text(root, "datacontenttype"),
                text(root, "deviceid"), revision(root.get("revision")), text(root, "traceparent"),
                data == null || data.isNull() ? null : data);
    }

    /**
     * The payload bound to {@code type}'s record, ignoring fields the record does not have; empty
     * when the event is of another type or has no data.
     *
     * @throws EventContractViolation when the data cannot be bound (e.g. a string where a number belongs)
     */
    public <T extends EventData> Optional<T> decodeData(CloudEvent event, EventType<T> type) {
        if (event == null || !type.type().equals(event.type()) || event.data() == null) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(mapper.treeToValue(event.data(), type.dataClass()));
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new EventContractViolation(event.type(), List.of("data: cannot be read as "
                    + type.dataClass().getSimpleName() + " (" + e.getMessage() + ")"), e);
        }
    }

    /** The payload as JSON, the way {@link #encode} writes it. */
    public JsonNode toJson(EventData data) {
        if (data == null) {
            return null;
        }
        // Through bytes rather than valueToTree: the tree then has exactly the node types a consumer
        // parses (IntNode for a small long, ...), so an event equals itself after a round trip.
        try {
            return mapper.readTree(mapper.writeValueAsBytes(data));
        } catch (IOException e) {
            throw new EventContractViolation(null, List.of("data: not serializable (" + e.getMessage() + ")"), e);
        }
    }

    private ObjectNode toEnvelope(CloudEvent e) {
        ObjectNode node = mapper.createObjectNode();
        node.put("specversion", e.specversion());
        node.put("id", e.id());
        node.put("source", e.source());
        node.put("type", e.type());
        node.put("subject", e.subject());
        node.put("time", e.time().toString());
        node.put("datacontenttype", e.datacontenttype());
        // Null extensions are omitted, as CloudEvents prescribes for absent attributes.
        if (e.deviceid() != null) {
            node.put("deviceid", e.deviceid());
        }
        if (e.revision() != null) {
            node.put("revision", e.revision());
        }
        if (e.traceparent() != null) {
            node.put("traceparent", e.traceparent());
        }
        node.set("data", e.data());
        return node;
    }

    private static String text(JsonNode root, String field) {
        JsonNode value = root.get(field);
        return value == null || value.isNull() || value.isContainerNode() ? null : value.asText();
    }

    private static Instant time(JsonNode value) {
        if (value == null || !value.isTextual()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value.asText()).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static Long revision(JsonNode value) {
        if (value == null) {
            return null;
        }
        if (value.canConvertToLong() && value.isIntegralNumber()) {
            return value.asLong();
        }
        // CloudEvents allows integer extensions to be carried as strings by some SDKs.
        if (value.isTextual()) {
            try {
                return Long.parseLong(value.asText());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
