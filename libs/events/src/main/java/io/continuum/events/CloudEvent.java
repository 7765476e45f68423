package io.continuum.events;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * A CloudEvents 1.0 event as it travels in a Kafka record value (JSON structured mode). Use
 * {@link EventCodec} to turn it into bytes and back; the JSON layout is defined there.
 *
 * @param subject     the account id; also the Kafka record key ({@link #key()})
 * @param deviceid    extension: the device the change originated on, may be {@code null}
 * @param revision    extension: the account's state revision after the change, may be {@code null}
 * @param traceparent extension: W3C trace context of the producing request, may be {@code null}
 * @param data        the payload as JSON; bind it with {@link #dataAs(EventType)}
 */
public record CloudEvent(
        String specversion,
        String id,
        String source,
        String type,
        String subject,
        Instant time,
        String datacontenttype,
        String deviceid,
        Long revision,
        String traceparent,
        JsonNode data) {

    public static final String SPEC_VERSION = "1.0";
    public static final String JSON_CONTENT_TYPE = "application/json";

    /**
     * A new event of {@code type}: random UUID id, current time, spec version 1.0, JSON content type.
     * The payload is converted to JSON here; it is validated against its schema on encode.
     *
     * @param source    URI-reference of the producer, e.g. {@code /auth-service}
     * @param accountId becomes {@code subject} and the Kafka key
     * @param deviceId  origin device, or {@code null} for server-originated changes
     * @param revision  account state revision after the change, or {@code null}
     */
    public static <T extends EventData> CloudEvent of(
            EventType<T> type, String source, String accountId, String deviceId, Long revision, T data) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(data, "data");
        return new CloudEvent(SPEC_VERSION, UUID.randomUUID().toString(), source, type.type(), accountId,
                Instant.now(), JSON_CONTENT_TYPE, deviceId, revision, null,
                EventCodec.shared().toJson(data));
    }

    /** The payload bound to {@code type}'s record; empty when this event is of another type. */
    public <T extends EventData> Optional<T> dataAs(EventType<T> type) {
        return EventCodec.shared().decodeData(this, type);
    }

    /** The Kafka record key: the account id, so one account's events stay ordered on one partition. */
    public String key() {
        return subject;
    }

    /** A copy carrying the given W3C {@code traceparent}. */
    public CloudEvent withTraceparent(String traceparent) {
        return new CloudEvent(specversion, id, source, type, subject, time, datacontenttype, deviceid, revision,
                traceparent, data);
    }
}
