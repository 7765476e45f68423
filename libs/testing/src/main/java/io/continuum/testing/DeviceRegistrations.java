package io.continuum.testing;

import io.continuum.events.CloudEvent;
import io.continuum.events.EventCodec;
import io.continuum.events.EventTypes;
import io.continuum.events.Topics;
import io.continuum.events.auth.DeviceKind;
import io.continuum.events.auth.DeviceRegistered;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Registers a device for a test whose service under test is not auth-service: publishes the
 * {@code continuum.auth.device-registered.v1} event auth-service would publish (same contract, schema-checked by
 * {@link EventCodec}) on the real {@code auth.events}, binding the token's session to the device. Every service's
 * registered-devices read model picks it up like a real registration. Tests that run against the whole stack
 * (e2e) register through {@code POST /api/auth/devices} instead.
 */
public final class DeviceRegistrations {

    private static final Map<String, KafkaProducer<String, byte[]>> PRODUCERS = new ConcurrentHashMap<>();

    private DeviceRegistrations() {
    }

    private static KafkaProducer<String, byte[]> producer(String bootstrapServers) {
        return PRODUCERS.computeIfAbsent(bootstrapServers, b -> {
            KafkaProducer<String, byte[]> p = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, b,
                    ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                    ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()));
            Runtime.getRuntime().addShutdownHook(new Thread(p::close));
            return p;
        });
    }

    /** Binds {@code tokens}' session to {@code deviceId} on the shared broker. */
    public static void register(Tokens.TokenSet tokens, String deviceId) {
        register(LocalStack.KAFKA_BOOTSTRAP, tokens, deviceId);
    }

    public static void register(String bootstrapServers, Tokens.TokenSet tokens, String deviceId) {
        if (tokens.sessionId() == null) {
            throw new IllegalArgumentException("a device is bound to a sign-in session: the token has no sid");
        }
        CloudEvent event = CloudEvent.of(EventTypes.DEVICE_REGISTERED, "/test", tokens.subject(), deviceId, null,
                new DeviceRegistered(deviceId, DeviceKind.WEB, "test", "test device " + deviceId, tokens.sessionId()));
        try {
            producer(bootstrapServers).send(new ProducerRecord<>(Topics.AUTH_EVENTS, event.key(), EventCodec.shared().encode(event))).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot publish the device registration", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Registers {@code deviceId} for {@code tokens}' session the way an app does: {@code POST /api/auth/devices}
     * through the gateway (the whole stack must run). Answers the HTTP status (201 new, 200 known).
     */
    public static int registerThroughGateway(Tokens.TokenSet tokens, String deviceId) {
        String body = "{\"deviceId\":\"" + deviceId + "\",\"kind\":\"web\",\"platform\":\"test\",\"displayName\":\"e2e "
                + deviceId + "\"}";
        try {
            java.net.http.HttpResponse<String> r = GATEWAY.send(java.net.http.HttpRequest.newBuilder(
                                    java.net.URI.create(LocalStack.GATEWAY_URL + "/api/auth/devices"))
                            .header("Authorization", "Bearer " + tokens.accessToken())
                            .header("Content-Type", "application/json")
                            .timeout(java.time.Duration.ofSeconds(10))
                            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 201 && r.statusCode() != 200) {
                throw new IllegalStateException("registration of " + deviceId + " answered " + r.statusCode() + ": " + r.body());
            }
            return r.statusCode();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("auth-service unreachable through the gateway", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static final java.net.http.HttpClient GATEWAY = java.net.http.HttpClient.newHttpClient();
}
