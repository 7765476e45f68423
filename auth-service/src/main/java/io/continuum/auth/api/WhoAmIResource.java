package io.continuum.auth.api;

import io.continuum.platform.security.WhoAmIEndpoint;
import io.quarkus.security.Authenticated;
import jakarta.ws.rs.Path;

/** Who the caller is, as auth-service sees it (see {@link WhoAmIEndpoint}). */
@Path("/api/auth/whoami")
@Authenticated
public class WhoAmIResource extends WhoAmIEndpoint {}
