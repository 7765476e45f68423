package io.continuum.platform.security;

import io.continuum.platform.devices.DeviceBinding;
import io.continuum.platform.problem.ProblemException;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.RequestScoped;
import java.util.Optional;
import java.util.regex.Pattern;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Who is calling: the account is the token's {@code sub}, the sign-in session its {@code sid}, and the device
 * the {@code X-Device-Id} header (a client-generated id, bound to the session by auth-service).
 */
@RequestScoped
public class Caller {

    public static final String DEVICE_HEADER = "X-Device-Id";
    /** Client-generated device ids: UUIDs or similar opaque tokens. */
    public static final Pattern DEVICE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    private final SecurityIdentity identity;
    private final JsonWebToken token;
    private final HttpServerRequest request;
    private final DeviceBinding binding;

    public Caller(SecurityIdentity identity, JsonWebToken token, HttpServerRequest request, DeviceBinding binding) {
        this.identity = identity;
        this.token = token;
        this.request = request;
        this.binding = binding;
    }

    /** The account id (Keycloak user id, {@code sub}). */
    public String accountId() {
        if (identity.isAnonymous() || token.getSubject() == null) {
            throw ProblemException.unauthorized();
        }
        return token.getSubject();
    }

    /** The Keycloak session id ({@code sid}); empty for service-account tokens. */
    public Optional<String> sessionId() {
        return Optional.ofNullable(TokenClaims.sessionId(token));
    }

    public String username() {
        return token.getClaim("preferred_username");
    }

    /** The calling device from {@code X-Device-Id}, validated; empty when the header is absent. */
    public Optional<String> deviceId() {
        String value = request.getHeader(DEVICE_HEADER);
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        if (!DEVICE_ID.matcher(value).matches()) {
            throw ProblemException.badRequest("Invalid device id",
                    "header " + DEVICE_HEADER + " must match " + DEVICE_ID.pattern(), DEVICE_HEADER);
        }
        return Optional.of(value);
    }

    /**
     * The calling device from {@code X-Device-Id} (required), checked to be a device registered to this account
     * and bound to this sign-in session: fails with 403 {@code device-not-registered} otherwise. For writes.
     */
    public Uni<String> requireRegisteredDevice() {
        String device = requireDeviceId();
        String account = accountId();
        return binding.require(account, sessionId().orElse(null), device).replaceWith(device);
    }

    public String requireDeviceId() {
        return deviceId().orElseThrow(() -> ProblemException.badRequest("Missing device id",
                "header " + DEVICE_HEADER + " is required for this call", DEVICE_HEADER));
    }
}
