package io.continuum.session.api;

import io.continuum.platform.security.WhoAmIEndpoint;
import io.quarkus.security.Authenticated;
import jakarta.ws.rs.Path;

/** Who the caller is, as session-service sees it (see {@link WhoAmIEndpoint}). */
@Path("/api/state/whoami")
@Authenticated
public class WhoAmIResource extends WhoAmIEndpoint {}
