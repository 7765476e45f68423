package io.continuum.auth.api;

import io.continuum.auth.domain.DeviceService;
import io.continuum.platform.problem.ProblemException;
import io.continuum.platform.security.Caller;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import java.util.Map;
import org.jboss.resteasy.reactive.RestQuery;

/** {@code /api/auth/logout-everywhere}: ends every session of the account, optionally keeping the calling device. */
@Path("/api/auth/logout-everywhere")
@Authenticated
public class SessionResource {

    private final DeviceService devices;
    private final Caller caller;

    public SessionResource(DeviceService devices, Caller caller) {
        this.devices = devices;
        this.caller = caller;
    }

    /** {@code ?exceptThisDevice=true} keeps the caller's own session (no body needed). Answers the ended session count. */
    @POST
    public Uni<Map<String, Object>> logoutEverywhere(@RestQuery Boolean exceptThisDevice) {
        boolean keep = Boolean.TRUE.equals(exceptThisDevice);
        String sid = caller.sessionId().orElse(null);
        if (keep && sid == null) {
            throw ProblemException.invalid("exceptThisDevice", "the bearer token carries no session (sid) to keep");
        }
        return devices.logoutEverywhere(caller.accountId(), sid, keep)
                .map(ended -> Map.of("endedSessions", ended.size(), "exceptThisDevice", keep));
    }
}
