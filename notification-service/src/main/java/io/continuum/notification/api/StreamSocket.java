package io.continuum.notification.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.continuum.notification.config.NotificationConfig;
import io.continuum.notification.domain.ChannelService;
import io.continuum.notification.domain.Json;
import io.continuum.notification.live.AckBuffer;
import io.continuum.notification.live.CloseCodes;
import io.continuum.notification.live.ConnectionRegistry;
import io.continuum.notification.live.DeviceConnection;
import io.continuum.notification.live.PresenceService;
import io.continuum.notification.live.StreamSessions;
import io.continuum.notification.persistence.StreamStore;
import io.continuum.platform.problem.ProblemException;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnError;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnPongMessage;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.UserData;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import io.quarkus.websockets.next.WebSocketSecurity;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * {@code /ws}: one device's live view of its account stream (protocol in docs/notifications.md). The upgrade was
 * authenticated by {@link UpgradeCheck}; everything a client sends is checked here and answered with an
 * {@code error} frame naming the field, never with a crash or another account's data.
 */
@WebSocket(path = "/ws")
public class StreamSocket {

    private static final Logger LOG = Logger.getLogger(StreamSocket.class);

    private final ConnectionRegistry registry;
    private final StreamSessions sessions;
    private final StreamStore store;
    private final PresenceService presence;
    private final AckBuffer acks;
    private final ChannelService channels;
    private final TokenVerifier verifier;
    private final int maxInbound;
    private final WebSocketSecurity wsSecurity;

    public StreamSocket(ConnectionRegistry registry, StreamSessions sessions, StreamStore store, PresenceService presence,
            AckBuffer acks, ChannelService channels, TokenVerifier verifier, NotificationConfig config,
            WebSocketSecurity wsSecurity) {
        this.wsSecurity = wsSecurity;
        this.maxInbound = config.connection().maxInbound();
        this.registry = registry;
        this.sessions = sessions;
        this.store = store;
        this.presence = presence;
        this.acks = acks;
        this.channels = channels;
        this.verifier = verifier;
    }

    private static final Uni<Void> RECORDED = Uni.createFrom().voidItem();

    @OnOpen
    public Uni<Void> open(WebSocketConnection ws) {
        UserData data = ws.userData();
        String account = data.get(UpgradeCheck.ACCOUNT);
        String device = data.get(UpgradeCheck.DEVICE);
        Long expires = data.get(UpgradeCheck.EXPIRES);
        if (account == null || device == null || expires == null) {
            return ws.close(new CloseReason(1008, "not authenticated"));
        }
        Instant expiry = Instant.ofEpochSecond(expires);
        // the connection is owned by the context this callback runs on (its socket's event loop)
        DeviceConnection c = new DeviceConnection(ws, DeviceConnection.Owner.current(Vertx.currentContext()),
                new DeviceConnection.Identity(account, data.get(UpgradeCheck.SESSION), device, expiry),
                sessions.limits(), (from, limit) -> store.after(account, from, limit), sessions.meters());
        registry.add(c);
        sessions.armExpiry(c, expiry);
        if (verifier.isRevoked(c.sessionId())) { // revoked between the upgrade check and now
            c.close(CloseCodes.reason(CloseCodes.SESSION_REVOKED, "session revoked"));
            return Uni.createFrom().voidItem();
        }
        Long seq;
        try {
            String s = data.get(UpgradeCheck.RESUME_SEQ);
            seq = s == null ? null : Long.parseLong(s);
            if (seq != null && seq < 0) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            c.sendControl(error("invalid", "seq", "seq must be a non-negative integer; starting from the stored cursor", null), null);
            seq = null;
        }
        // The presence row is written beside the stream, not before it: going live waits only for the stream read
        // (and the replay), never for the presence transaction, which queues behind every other socket's in a
        // reconnect storm. The close waits for the same write, so a socket closed while opening never leaves a row
        // behind nor publishes offline before online; a failed write closes the socket (the device reconnects).
        Uni<Void> online = presence.connected(c).memoize().indefinitely();
        c.presenceRecorded(online);
        // once recorded, the socket keeps a completed Uni, not the memoized chain (its operators and the contexts they
        // captured cost ~5 KB of heap per idle socket: docs/notifications.md, heap per socket)
        return sessions.open(c, seq, data.get(UpgradeCheck.RESUME_EPOCH), () -> online.subscribe().with(
                ok -> c.presenceRecorded(RECORDED), e -> {
                    LOG.warnf("recording the presence of %s/%s failed: %s", account, device, e.getMessage());
                    c.close(CloseCodes.reason(1011, "stream unavailable; reconnect and resume"));
                }))
                .onFailure().recoverWithItem(e -> {
                    LOG.warnf(e, "opening the stream of %s/%s failed", account, device);
                    c.close(CloseCodes.reason(1011, "stream unavailable; reconnect and resume"));
                    return null;
                });
    }

    @OnPongMessage
    public void pong(Buffer data, WebSocketConnection ws) {
        DeviceConnection c = registry.get(ws.id());
        if (c != null) {
            c.touch();
        }
    }

    @OnClose
    public Uni<Void> close(WebSocketConnection ws) {
        DeviceConnection c = registry.remove(ws.id());
        CloseReason reason = ws.closeReason();
        sessions.meters().closed(reason == null ? null : reason.getCode());
        if (c == null) {
            return Uni.createFrom().voidItem();
        }
        sessions.closed(c);
        return c.presenceRecorded().onFailure().recoverWithNull()
                .chain(() -> acks.flush(c.accountId(), c.deviceId()))
                .chain(() -> presence.disconnected(c))
                .onFailure().recoverWithItem(e -> {
                    LOG.warnf("closing bookkeeping of %s failed: %s", ws.id(), e.getMessage());
                    return null;
                });
    }

    @OnError
    public void error(Throwable t, WebSocketConnection ws) {
        LOG.debugf("error on %s: %s", ws.id(), t.toString());
    }

    @OnTextMessage
    public Uni<Void> message(String text, WebSocketConnection ws) {
        DeviceConnection c = registry.get(ws.id());
        if (c == null || !c.isOpen()) {
            return Uni.createFrom().voidItem();
        }
        c.touch();
        if (text.length() > maxInbound) {
            c.close(CloseCodes.reason(CloseCodes.MESSAGE_TOO_BIG, "message too big (max " + maxInbound + " characters)"));
            return Uni.createFrom().voidItem();
        }
        if (!c.tryAcquire()) {
            refuse(c, error("rate-limited", "$", "too many messages; slow down", null));
            return Uni.createFrom().voidItem();
        }
        JsonNode msg;
        try {
            msg = Json.MAPPER.readTree(text);
        } catch (Exception e) {
            refuse(c, error("malformed", "$", "the frame is not valid JSON", null));
            return Uni.createFrom().voidItem();
        }
        if (msg == null || !msg.isObject()) {
            refuse(c, error("malformed", "$", "the frame must be a JSON object", null));
            return Uni.createFrom().voidItem();
        }
        JsonNode refNode = msg.get("ref");
        String ref = refNode != null && refNode.isTextual() && refNode.asText().length() <= 64 ? refNode.asText() : null;
        JsonNode typeNode = msg.get("type");
        if (typeNode == null || !typeNode.isTextual()) {
            refuse(c, error("malformed", "type", "type is required and must be a string", ref));
            return Uni.createFrom().voidItem();
        }
        try {
            return switch (typeNode.asText()) {
                case "ping" -> reply(c, "{\"type\":\"pong\"" + refPart(ref) + "}");
                case "ack" -> ack(c, msg, ref);
                case "auth" -> auth(c, msg, ref);
                case "resume" -> resume(c, msg, ref);
                case "read" -> read(c, msg, ref);
                case "publish" -> publish(c, msg, ref);
                default -> {
                    refuse(c, error("unknown-type", "type", "unknown frame type", ref));
                    yield Uni.createFrom().voidItem();
                }
            };
        } catch (ProblemException e) {
            refuse(c, problemFrame(e, ref));
            return Uni.createFrom().voidItem();
        }
    }

    private Uni<Void> ack(DeviceConnection c, JsonNode msg, String ref) {
        JsonNode seq = msg.get("seq");
        if (seq == null || !seq.canConvertToLong() || !seq.isIntegralNumber()) {
            refuse(c, error("invalid", "seq", "seq must be an integer", ref));
        } else if (!sessions.ack(c, seq.asLong())) {
            refuse(c, error("invalid", "seq", "seq must be between 0 and the last seq sent on this connection ("
                    + c.lastSentSeq() + ")", ref));
        }
        return Uni.createFrom().voidItem();
    }

    private Uni<Void> auth(DeviceConnection c, JsonNode msg, String ref) {
        JsonNode token = msg.get("token");
        if (token == null || !token.isTextual() || token.asText().length() > 16_384) {
            refuse(c, error("invalid", "token", "token must be a string", ref));
            return Uni.createFrom().voidItem();
        }
        return verifier.verify(token.asText())
                .invoke(v -> {
                    if (!v.accountId().equals(c.accountId())
                            || (c.sessionId() != null && !c.sessionId().equals(v.sessionId()))) {
                        c.close(CloseCodes.reason(CloseCodes.TOKEN_MISMATCH, "token of another account or session"));
                        return;
                    }
                    sessions.armExpiry(c, v.expiresAt());
                    if (Boolean.TRUE.equals(c.socket().userData().get(UpgradeCheck.HEADER_TOKEN))) {
                        moveSecurityIdentity(token.asText()); // a subprotocol token left no HTTP identity to move
                    }
                    c.sendControl("{\"type\":\"auth-ok\",\"tokenExpiresAt\":\"" + v.expiresAt() + "\"" + refPart(ref) + "}", null);
                })
                .onFailure().recoverWithItem(e -> {
                    String code = e instanceof TokenVerifier.Refused r ? r.code : "invalid-token";
                    if ("session-revoked".equals(code)) {
                        c.close(CloseCodes.reason(CloseCodes.SESSION_REVOKED, "session revoked"));
                    } else {
                        refuse(c, error(code, "token", "the token was not accepted; the current one stays in force until it expires", ref));
                    }
                    return null;
                })
                .replaceWithVoid();
    }

    /**
     * WebSockets Next closes a connection with 1008 when the security identity of its upgrade expires (a token sent
     * in the {@code Authorization} header); a refreshed token moves that deadline too, or the connection would be cut
     * at the first token's expiry despite the refresh. Best effort: our own expiry timer is authoritative.
     * {@link WebSocketSecurity} is injected directly: looked up through {@code Instance} it was never resolvable (the
     * update silently did nothing, and every refreshing device was cut with 1008 at its first token's expiry).
     */
    private void moveSecurityIdentity(String token) {
        try {
            wsSecurity.updateSecurityIdentity(token).whenComplete((identity, e) -> {
                if (e != null) {
                    sessions.meters().identityUpdate(false);
                    LOG.warnf("security identity of the upgrade not updated (the socket will be closed with 1008 at the"
                            + " previous token's expiry): %s", e.getMessage());
                } else {
                    sessions.meters().identityUpdate(true);
                }
            });
        } catch (RuntimeException e) {
            sessions.meters().identityUpdate(false);
            LOG.warnf("security identity of the upgrade not updated (the socket will be closed with 1008 at the"
                    + " previous token's expiry): %s", e.getMessage());
        }
    }

    private Uni<Void> resume(DeviceConnection c, JsonNode msg, String ref) {
        JsonNode seq = msg.get("seq");
        JsonNode epoch = msg.get("epoch");
        if (seq == null || !seq.isIntegralNumber() || seq.asLong() < 0) {
            refuse(c, error("invalid", "seq", "seq must be a non-negative integer", ref));
            return Uni.createFrom().voidItem();
        }
        if (epoch != null && !epoch.isTextual() && !epoch.isNull()) {
            refuse(c, error("invalid", "epoch", "epoch must be a string", ref));
            return Uni.createFrom().voidItem();
        }
        return sessions.start(c, seq.asLong(), epoch == null || epoch.isNull() ? null : epoch.asText());
    }

    private Uni<Void> read(DeviceConnection c, JsonNode msg, String ref) {
        JsonNode id = msg.get("id");
        if (id == null || !id.isTextual() || id.asText().isBlank() || id.asText().length() > 128) {
            refuse(c, error("invalid", "id", "id must be a notification id (1 to 128 characters)", ref));
            return Uni.createFrom().voidItem();
        }
        return sessions.markRead(c.accountId(), c.deviceId(), id.asText())
                .invoke(f -> c.sendControl("{\"type\":\"read-ok\",\"id\":" + Json.quote(id.asText()) + ",\"seq\":" + f.seq()
                        + refPart(ref) + "}", null))
                .replaceWithVoid();
    }

    private Uni<Void> publish(DeviceConnection c, JsonNode msg, String ref) {
        String channel = text(msg, "channel");
        if (channel == null || channel.length() > 64) {
            refuse(c, error("invalid", "channel", "channel must be a channel id", ref));
            return Uni.createFrom().voidItem();
        }
        return channels.post(c.accountId(), c.deviceId(), channel, text(msg, "clientMessageId"), text(msg, "body"))
                .invoke(p -> {
                    Map<String, Object> out = new LinkedHashMap<>();
                    out.put("type", "published");
                    out.put("channel", channel);
                    out.put("clientMessageId", p.message().clientMessageId());
                    out.put("channelSeq", p.message().seq());
                    out.put("messageId", p.message().messageId());
                    out.put("duplicate", !p.created());
                    if (ref != null) {
                        out.put("ref", ref);
                    }
                    c.sendControl(Json.write(out), null);
                })
                .onFailure(ProblemException.class).recoverWithItem(e -> {
                    refuse(c, problemFrame((ProblemException) e, ref));
                    return null;
                })
                .replaceWithVoid();
    }

    private static String text(JsonNode msg, String field) {
        JsonNode n = msg.get(field);
        return n != null && n.isTextual() ? n.asText() : null;
    }

    private Uni<Void> reply(DeviceConnection c, String text) {
        c.sendControl(text, null);
        return Uni.createFrom().voidItem();
    }

    private void refuse(DeviceConnection c, String errorFrame) {
        c.sendControl(errorFrame, null);
        if (c.strike()) {
            c.close(CloseCodes.reason(CloseCodes.POLICY, "too many refused messages"));
        }
    }

    private static String problemFrame(ProblemException e, String ref) {
        var p = e.toProblem(null);
        String field = p.errors() == null || p.errors().isEmpty() ? "$" : p.errors().get(0).field();
        String code = p.status() == 404 ? "not-found" : p.status() == 422 ? "invalid" : "refused";
        return error(code, field, p.detail(), ref);
    }

    static String error(String code, String field, String message, String ref) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("type", "error");
        e.put("code", code);
        e.put("field", field);
        e.put("message", message);
        if (ref != null) {
            e.put("ref", ref);
        }
        return Json.write(e);
    }

    private static String refPart(String ref) {
        return ref == null ? "" : ",\"ref\":" + Json.quote(ref);
    }
}
