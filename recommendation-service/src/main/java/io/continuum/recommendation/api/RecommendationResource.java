package io.continuum.recommendation.api;

import io.continuum.platform.problem.ProblemException;
import io.continuum.platform.security.Caller;
import io.continuum.recommendation.domain.Context;
import io.continuum.recommendation.domain.DeviceContext;
import io.continuum.recommendation.domain.Maturity;
import io.continuum.recommendation.domain.RecommendationService;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;

/** {@code GET /api/recommendations}: the caller's list for this device, these minutes, this time of day. */
@Path("/api/recommendations")
@Authenticated
public class RecommendationResource {

    public static final int MAX_LIMIT = 50;
    public static final int MAX_MINUTES = 1440;

    private final RecommendationService service;
    private final Caller caller;

    public RecommendationResource(RecommendationService service, Caller caller) {
        this.service = service;
        this.caller = caller;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Recommendations for the caller, re-ranked for device, minutes available and time of day")
    public Uni<RecommendationService.Answer> recommend(
            @Parameter(description = "1..50, default 10") @QueryParam("limit") String limit,
            @Parameter(description = "phone, tablet, desktop, tv, console, web; default: the kind of the X-Device-Id device")
            @QueryParam("device") String device,
            @Parameter(description = "minutes available, 1..1440") @QueryParam("minutes") String minutes,
            @Parameter(description = "highest maturity rating: all, 7+, 13+, 16+, 18+ (default 18+)")
            @QueryParam("maturity") String maturity,
            @Parameter(description = "IANA time zone for the time of day, default UTC") @QueryParam("tz") String tz) {
        String account = caller.accountId();
        int n = intParam("limit", limit, 1, MAX_LIMIT, 10);
        Integer mins = minutes == null ? null : intParam("minutes", minutes, 1, MAX_MINUTES, 0);
        Maturity maxMaturity = maturity == null ? Maturity.AGE_18 : Maturity.parse(maturity)
                .orElseThrow(() -> ProblemException.invalid("maturity", "must be one of all, 7+, 13+, 16+, 18+"));
        int hour = ZonedDateTime.now(zone(tz)).getHour();
        Optional<DeviceContext> explicit = device == null ? Optional.empty() : Optional.of(DeviceContext.parse(device)
                .orElseThrow(() -> ProblemException.invalid("device", "must be one of phone, tablet, desktop, tv, console, web")));
        Optional<String> deviceId = caller.deviceId();
        Uni<Optional<DeviceContext>> kind = explicit.isPresent() || deviceId.isEmpty()
                ? Uni.createFrom().item(explicit)
                : service.registeredDevice(account, deviceId.get());
        return kind.chain(k -> service.recommend(account, new Context(k.orElse(null), mins, hour, maxMaturity), n));
    }

    static int intParam(String field, String value, int min, int max, int dflt) {
        if (value == null) {
            return dflt;
        }
        try {
            int v = Integer.parseInt(value.strip());
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw ProblemException.invalid(field, "must be an integer within " + min + ".." + max);
    }

    static ZoneId zone(String tz) {
        if (tz == null) {
            return ZoneId.of("UTC");
        }
        try {
            return ZoneId.of(tz);
        } catch (DateTimeException e) {
            throw ProblemException.invalid("tz", "must be an IANA time zone, e.g. Europe/Paris");
        }
    }
}
