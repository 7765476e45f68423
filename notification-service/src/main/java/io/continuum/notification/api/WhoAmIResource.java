package io.continuum.notification.api;

import io.continuum.platform.security.Caller;
import io.continuum.platform.security.WhoAmI;
import io.quarkus.security.Authenticated;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;

/** Who the caller is, as notification-service sees it: the smallest secured endpoint. */
@Path("/api/notifications/whoami")
@Authenticated
public class WhoAmIResource {

    private final Caller caller;

    public WhoAmIResource(Caller caller) {
        this.caller = caller;
    }

    @GET
    public WhoAmI whoami() {
        return WhoAmI.of("notification-service", caller);
    }
}
