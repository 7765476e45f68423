package io.continuum.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.continuum.testing.DeviceRegistrations;
import io.continuum.testing.LocalStack;
import io.continuum.testing.Tokens;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.List;
import java.util.Map;

/**
 * One signed-in, registered device of a demo user, talking to the service under test with a real Keycloak token.
 * Each device is its own sign-in (a session is bound to one device); its registration is published on
 * {@code auth.events} as auth-service would ({@link DeviceRegistrations}).
 */
public final class Device {

    static final ObjectMapper JSON = new ObjectMapper();

    public final String account;
    public final String deviceId;
    private final String user;
    private final String bootstrapServers;
    private final String token;

    private Device(String user, Tokens.TokenSet tokens, String deviceId, String bootstrapServers) {
        this.user = user;
        this.account = tokens.subject();
        this.token = tokens.accessToken();
        this.deviceId = deviceId;
        this.bootstrapServers = bootstrapServers;
    }

    /** A new sign-in of the demo user {@code user}, registered as {@code deviceId} on the shared Kafka. */
    public static Device of(String user, String deviceId) {
        return of(user, deviceId, LocalStack.KAFKA_BOOTSTRAP);
    }

    /** The same, registered on the broker the service under test reads ({@code bootstrapServers}). */
    public static Device of(String user, String deviceId, String bootstrapServers) {
        Tokens.TokenSet tokens = Tokens.signIn(user, user);
        DeviceRegistrations.register(bootstrapServers, tokens, deviceId);
        return new Device(user, tokens, deviceId, bootstrapServers);
    }

    /** Another device of the same account: its own sign-in and registration. */
    public Device other(String otherDeviceId) {
        return of(user, otherDeviceId, bootstrapServers);
    }

    public String token() {
        return token;
    }

    public RequestSpecification given() {
        return io.restassured.RestAssured.given().auth().oauth2(token).header("X-Device-Id", deviceId);
    }

    /** POST /api/state/ops; asserts 200 and answers the body. */
    public JsonNode push(List<Map<String, Object>> ops) {
        Response r = pushRaw(ops);
        if (r.statusCode() != 200) {
            throw new AssertionError("ops answered " + r.statusCode() + ": " + r.asString());
        }
        return json(r);
    }

    public Response pushRaw(List<Map<String, Object>> ops) {
        return given().contentType(ContentType.JSON).body(Map.of("ops", ops)).post("/api/state/ops");
    }

    public JsonNode snapshot() {
        return json(given().get("/api/state/snapshot").then().statusCode(200).extract().response());
    }

    public JsonNode changes(long since, int limit) {
        return json(given().queryParam("since", since).queryParam("limit", limit).get("/api/state/changes")
                .then().statusCode(200).extract().response());
    }

    public long revision() {
        return snapshot().path("revision").asLong();
    }

    static JsonNode json(Response r) {
        try {
            return JSON.readTree(r.asString());
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + r.asString(), e);
        }
    }
}
