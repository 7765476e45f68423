package io.continuum.recommendation.api;

import io.continuum.platform.security.WhoAmIEndpoint;
import io.quarkus.security.Authenticated;
import jakarta.ws.rs.Path;

/** Who the caller is, as recommendation-service sees it (see {@link WhoAmIEndpoint}). */
@Path("/api/recommendations/whoami")
@Authenticated
public class WhoAmIResource extends WhoAmIEndpoint {}
