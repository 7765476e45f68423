package io.continuum.notification.api;

import io.continuum.notification.domain.ChannelService;
import io.continuum.platform.problem.ProblemException;
import io.continuum.platform.security.Caller;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.jboss.resteasy.reactive.RestResponse;

/** Chat-style channels of the caller's account. Non-members get 404 for a channel, as if it did not exist. */
@Path("/api/notifications/channels")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class ChannelsResource {

    private final Caller caller;
    private final ChannelService channels;

    public ChannelsResource(Caller caller, ChannelService channels) {
        this.caller = caller;
        this.channels = channels;
    }

    public record CreateChannel(String name, List<String> members) {
    }

    public record AddMember(String accountId) {
    }

    public record PostMessage(String clientMessageId, String body) {
    }

    @POST
    public Uni<RestResponse<ChannelService.Channel>> create(CreateChannel body) {
        if (body == null) {
            throw ProblemException.invalid("name", "is required");
        }
        return channels.create(caller.accountId(), body.name(), body.members())
                .map(c -> RestResponse.status(RestResponse.Status.CREATED, c));
    }

    @GET
    public Uni<List<ChannelService.Channel>> list() {
        return channels.list(caller.accountId());
    }

    @GET
    @Path("/{id}")
    public Uni<ChannelService.Channel> get(@PathParam("id") String id) {
        return channels.get(caller.accountId(), id);
    }

    @POST
    @Path("/{id}/members")
    public Uni<ChannelService.Channel> addMember(@PathParam("id") String id, AddMember body) {
        return channels.addMember(caller.accountId(), id, body == null ? null : body.accountId());
    }

    /** Posts a message; a repeat with the same {@code clientMessageId} answers 200 with the stored message (201 the first time). */
    @POST
    @Path("/{id}/messages")
    public Uni<RestResponse<ChannelService.Message>> post(@PathParam("id") String id, PostMessage body) {
        if (body == null) {
            throw ProblemException.invalid("clientMessageId", "is required");
        }
        return channels.post(caller.accountId(), caller.deviceId().orElse(null), id, body.clientMessageId(), body.body())
                .map(p -> RestResponse.status(p.created() ? RestResponse.Status.CREATED : RestResponse.Status.OK, p.message()));
    }

    @GET
    @Path("/{id}/messages")
    public Uni<ChannelService.Page> history(@PathParam("id") String id, @QueryParam("before") Long before,
            @QueryParam("limit") @DefaultValue("50") int limit) {
        return channels.history(caller.accountId(), id, before, limit);
    }
}
