package io.continuum.notification.api;

import io.continuum.platform.devices.DeviceBinding;
import io.continuum.platform.security.Caller;
import io.quarkus.websockets.next.HttpUpgradeCheck;
import io.quarkus.websockets.next.UserData;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Authenticates the WebSocket upgrade of {@code /ws} before it happens. The Keycloak access token comes from
 * {@code Authorization: Bearer <token>} (native clients) or, for browsers, which cannot set headers on a WebSocket,
 * from the subprotocol list: {@code Sec-WebSocket-Protocol: continuum.v1, bearer.<token>} (the server selects
 * {@code continuum.v1}). The device comes from {@code X-Device-Id} or the {@code deviceId} query parameter.
 * The device must be registered to the token's account and bound to its sign-in session ({@link DeviceBinding}: a
 * device that registered a moment ago is waited for briefly).
 * Refusals: 401 (no, invalid, expired or revoked token), 400 (missing or malformed device id), 403 with
 * {@code X-Problem-Type: https://continuum.dev/problems/device-not-registered} (the device is not registered for this
 * sign-in: register it with {@code POST /api/auth/devices}, then reconnect) or
 * {@code …/user-token-required} (a service account's token).
 */
@ApplicationScoped
public class UpgradeCheck implements HttpUpgradeCheck {

    private static final Logger LOG = Logger.getLogger(UpgradeCheck.class);
    public static final String SUBPROTOCOL = "continuum.v1";
    public static final String BEARER_PROTOCOL_PREFIX = "bearer.";

    static final UserData.TypedKey<String> ACCOUNT = UserData.TypedKey.forString("account");
    static final UserData.TypedKey<String> SESSION = UserData.TypedKey.forString("session");
    static final UserData.TypedKey<String> DEVICE = UserData.TypedKey.forString("device");
    static final UserData.TypedKey<Long> EXPIRES = UserData.TypedKey.forLong("expires");
    static final UserData.TypedKey<String> RESUME_SEQ = UserData.TypedKey.forString("resumeSeq");
    static final UserData.TypedKey<String> RESUME_EPOCH = UserData.TypedKey.forString("resumeEpoch");
    /**
     * Whether the token came in the {@code Authorization} header: then the HTTP layer authenticated the upgrade and
     * WebSockets Next closes the socket (1008) at that identity's expiry unless a refreshed token moves it.
     */
    static final UserData.TypedKey<Boolean> HEADER_TOKEN = UserData.TypedKey.forBoolean("headerToken");

    public static final String PROBLEM_TYPE_HEADER = "X-Problem-Type";
    private static final String PROBLEMS = "https://continuum.dev/problems/";

    private final TokenVerifier verifier;
    private final DeviceBinding binding;

    public UpgradeCheck(TokenVerifier verifier, DeviceBinding binding) {
        this.verifier = verifier;
        this.binding = binding;
    }

    @Override
    public boolean appliesTo(String endpointId) {
        return true;
    }

    @Override
    public Uni<CheckResult> perform(HttpUpgradeContext context) {
        HttpServerRequest request = context.httpRequest();
        String device = request.getHeader(Caller.DEVICE_HEADER);
        if (device == null || device.isBlank()) {
            device = request.getParam("deviceId");
        }
        if (device == null || !Caller.DEVICE_ID.matcher(device).matches()) {
            return CheckResult.rejectUpgrade(400, Map.of("X-Problem-Field", List.of("deviceId")));
        }
        String token = token(request);
        String deviceId = device;
        // the HTTP layer has usually verified the header's token already (proactive authentication): reuse that
        return context.securityIdentity().onFailure().recoverWithNull()
                .chain(established -> verifier.verify(token, established))
                .chain(v -> {
                    if (v.sessionId() == null) {
                        return CheckResult.rejectUpgrade(403, Map.of(PROBLEM_TYPE_HEADER, List.of(PROBLEMS + "user-token-required")));
                    }
                    return binding.require(v.accountId(), v.sessionId(), deviceId)
                            .map(ignored -> permit(context, request, v, deviceId))
                            .onFailure().recoverWithItem(e -> {
                                LOG.debugf("WebSocket upgrade refused: device %s not registered for the session", deviceId);
                                return CheckResult.rejectUpgradeSync(403, Map.of(
                                        PROBLEM_TYPE_HEADER, List.of(PROBLEMS + DeviceBinding.NOT_REGISTERED),
                                        "X-Problem-Field", List.of(Caller.DEVICE_HEADER)));
                            });
                })
                .onFailure().recoverWithItem(e -> {
                    String code = e instanceof TokenVerifier.Refused r ? r.code : "invalid-token";
                    LOG.debugf("WebSocket upgrade refused: %s", code);
                    return CheckResult.rejectUpgradeSync(401, Map.of("WWW-Authenticate",
                            List.of("Bearer error=\"invalid_token\", error_description=\"" + code + "\"")));
                });
    }

    private static CheckResult permit(HttpUpgradeContext context, HttpServerRequest request, TokenVerifier.Verified v,
            String deviceId) {
        UserData data = context.userData();
        data.put(ACCOUNT, v.accountId());
        data.put(SESSION, v.sessionId());
        data.put(DEVICE, deviceId);
        data.put(EXPIRES, v.expiresAt().getEpochSecond());
        data.put(HEADER_TOKEN, bearerHeader(request) != null);
        String seq = request.getParam("seq");
        if (seq != null) {
            data.put(RESUME_SEQ, seq);
        }
        String epoch = request.getParam("epoch");
        if (epoch != null) {
            data.put(RESUME_EPOCH, epoch);
        }
        return CheckResult.permitUpgradeSync();
    }

    private static String bearerHeader(HttpServerRequest request) {
        String auth = request.getHeader("Authorization");
        return auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) ? auth.substring(7).trim() : null;
    }

    /** The bearer token from the Authorization header or from a {@code bearer.<token>} subprotocol. */
    static String token(HttpServerRequest request) {
        String header = bearerHeader(request);
        if (header != null) {
            return header;
        }
        String protocols = request.getHeader("Sec-WebSocket-Protocol");
        if (protocols != null) {
            for (String p : protocols.split(",")) {
                String s = p.trim();
                if (s.startsWith(BEARER_PROTOCOL_PREFIX)) {
                    return s.substring(BEARER_PROTOCOL_PREFIX.length());
                }
            }
        }
        return null;
    }
}
