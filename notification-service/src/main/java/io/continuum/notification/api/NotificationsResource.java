package io.continuum.notification.api;

import io.continuum.notification.domain.Frame;
import io.continuum.notification.live.PresenceService;
import io.continuum.notification.live.StreamSessions;
import io.continuum.notification.persistence.StreamStore;
import io.continuum.platform.problem.ProblemException;
import io.continuum.platform.security.Caller;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** The caller's account stream, its devices' cursors and presence, and "read on one device clears the others". */
@Path("/api/notifications")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class NotificationsResource {

    private final Caller caller;
    private final StreamStore store;
    private final PresenceService presence;
    private final StreamSessions sessions;

    public NotificationsResource(Caller caller, StreamStore store, PresenceService presence, StreamSessions sessions) {
        this.caller = caller;
        this.store = store;
        this.presence = presence;
        this.sessions = sessions;
    }

    /** One device of the account: where its cursor is in the stream and whether it is online now. */
    public record DeviceView(String deviceId, String epoch, long ackedSeq, long behind, boolean online, int connections,
            Instant lastSeenAt) {
    }

    public record DevicesView(String epoch, long head, List<DeviceView> devices) {
    }

    public record PresenceView(List<PresenceService.OnlineDevice> online) {
    }

    public record StreamFrame(long seq, String type, String deliveryClass, String id, Instant time, Long revision,
            String origin, Object data) {
        static StreamFrame of(Frame f) {
            Object data;
            try {
                data = io.continuum.notification.domain.Json.MAPPER.readTree(f.data());
            } catch (Exception e) {
                data = Map.of();
            }
            return new StreamFrame(f.seq(), f.type(), f.delivery().wire(), f.eventId(), f.time(), f.revision(), f.originDevice(), data);
        }
    }

    public record StreamPage(String epoch, long head, Long low, List<StreamFrame> frames) {
    }

    public record ReadRequest(String id) {
    }

    public record ReadView(String id, long seq) {
    }

    @GET
    @Path("/devices")
    public Uni<DevicesView> devices() {
        String account = caller.accountId();
        return Uni.combine().all().unis(store.infoOrCreate(account), store.cursors(account), presence.online(account))
                .with((info, cursors, online) -> {
                    Map<String, PresenceService.OnlineDevice> on = online.stream()
                            .collect(Collectors.toMap(PresenceService.OnlineDevice::deviceId, o -> o));
                    List<DeviceView> views = cursors.stream().map(c -> {
                        PresenceService.OnlineDevice o = on.get(c.deviceId());
                        long behind = c.epoch().equals(info.epoch()) ? Math.max(0, info.head() - c.ackedSeq()) : info.head();
                        return new DeviceView(c.deviceId(), c.epoch(), c.ackedSeq(), behind, o != null,
                                o == null ? 0 : o.connections(), c.lastSeen());
                    }).toList();
                    return new DevicesView(info.epoch(), info.head(), views);
                });
    }

    @GET
    @Path("/presence")
    public Uni<PresenceView> presence() {
        return presence.online(caller.accountId()).map(PresenceView::new);
    }

    /** History of the caller's stream after {@code after} (for clients that page instead of using the socket). */
    @GET
    @Path("/stream")
    public Uni<StreamPage> stream(@QueryParam("after") @DefaultValue("0") long after,
            @QueryParam("limit") @DefaultValue("100") int limit) {
        if (after < 0) {
            throw ProblemException.invalid("after", "must be >= 0");
        }
        if (limit < 1 || limit > 1000) {
            throw ProblemException.invalid("limit", "must be between 1 and 1000");
        }
        String account = caller.accountId();
        return store.infoOrCreate(account).chain(info -> store.after(account, after, limit)
                .map(frames -> new StreamPage(info.epoch(), info.head(), info.low(),
                        frames.stream().map(StreamFrame::of).toList())));
    }

    /** Marks a notification read on the calling device; the account's other devices get a frame to clear it. */
    @POST
    @Path("/read")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<ReadView> read(ReadRequest request) {
        if (request == null || request.id() == null || request.id().isBlank() || request.id().length() > 128) {
            throw ProblemException.invalid("id", "must be a notification id (1 to 128 characters)");
        }
        // a write by a device: only a registered device bound to this sign-in may clear the others' notifications
        return caller.requireRegisteredDevice().chain(device -> sessions.markRead(caller.accountId(), device, request.id()))
                .map(f -> new ReadView(request.id(), f.seq()));
    }

    static Set<String> none() {
        return Set.of();
    }
}
