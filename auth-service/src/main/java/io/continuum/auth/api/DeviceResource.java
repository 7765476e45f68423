package io.continuum.auth.api;

import io.continuum.auth.domain.DeviceService;
import io.continuum.auth.domain.DeviceView;
import io.continuum.auth.domain.Registration;
import io.continuum.auth.domain.RegistrationRateLimiter;
import io.continuum.platform.problem.ProblemException;
import io.continuum.platform.security.Caller;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

/** {@code /api/auth/devices}: the calling account's devices. Another account's device is always 404. */
@Path("/api/auth/devices")
@Authenticated
public class DeviceResource {

    private final DeviceService devices;
    private final RegistrationRateLimiter rateLimiter;
    private final Caller caller;

    public DeviceResource(DeviceService devices, RegistrationRateLimiter rateLimiter, Caller caller) {
        this.devices = devices;
        this.rateLimiter = rateLimiter;
        this.caller = caller;
    }

    /** Registers the calling device and binds it to the token's session: 201 when new, 200 when already known. */
    @POST
    public Uni<Response> register(@NotNull(message = "a JSON body is required") @Valid DeviceRequests.Register body) {
        String account = caller.accountId();
        String sid = requireSession();
        rateLimiter.acquire(account);
        return devices.register(account, sid, new Registration(body.deviceId(), body.kind(), body.platform(), body.displayName()))
                .map(result -> Response.status(result.created() ? 201 : 200)
                        .header("Location", "/api/auth/devices/" + result.device().deviceId())
                        .entity(result.device()).build());
    }

    @GET
    public Uni<List<DeviceView>> list() {
        return devices.list(caller.accountId(), caller.sessionId().orElse(null), caller.deviceId());
    }

    @GET
    @Path("{deviceId}")
    public Uni<DeviceView> get(@RestPath @Pattern(regexp = DeviceRequests.DEVICE_ID, message = "not a device id") String deviceId) {
        return devices.get(caller.accountId(), deviceId, caller.sessionId().orElse(null));
    }

    @PATCH
    @Path("{deviceId}")
    public Uni<DeviceView> rename(
            @RestPath @Pattern(regexp = DeviceRequests.DEVICE_ID, message = "not a device id") String deviceId,
            @NotNull(message = "a JSON body is required") @Valid DeviceRequests.Rename body) {
        return devices.rename(caller.accountId(), deviceId, body.displayName(), caller.sessionId().orElse(null));
    }

    /** Revokes a device: its sessions end in Keycloak and in every service. 204; 404 for a device not of this account. */
    @DELETE
    @Path("{deviceId}")
    public Uni<Response> revoke(
            @RestPath @Pattern(regexp = DeviceRequests.DEVICE_ID, message = "not a device id") String deviceId,
            @RestQuery @Pattern(regexp = "^(user-removed|lost|stolen|sold|other)$",
                    message = "one of user-removed, lost, stolen, sold, other") String reason) {
        return devices.revoke(caller.accountId(), deviceId, reason == null ? "user-removed" : reason,
                        caller.deviceId().orElse(null))
                .replaceWith(Response.noContent().build());
    }

    private String requireSession() {
        return caller.sessionId().orElseThrow(() -> ProblemException.badRequest("No sign-in session",
                "the bearer token carries no session (sid): sign in as a user on the device", "Authorization"));
    }
}
