package io.continuum.notification.api;

import io.continuum.platform.security.WhoAmIEndpoint;
import io.quarkus.security.Authenticated;
import jakarta.ws.rs.Path;

/** Who the caller is, as notification-service sees it (see {@link WhoAmIEndpoint}). */
@Path("/api/notifications/whoami")
@Authenticated
public class WhoAmIResource extends WhoAmIEndpoint {}
