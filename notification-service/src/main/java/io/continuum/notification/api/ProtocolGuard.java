package io.continuum.notification.api;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.quarkus.websockets.next.HttpUpgradeCheck;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.impl.ConnectionBase;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * RFC 6455 conformance of {@code /ws}, where Vert.x falls short, checked before and below WebSockets Next.
 *
 * <ul>
 * <li>At the upgrade: a {@code Sec-WebSocket-Protocol} list without {@code continuum.v1} is refused (400, the field
 * named in {@code X-Problem-Field}); the server speaks only that protocol. No list at all is accepted (native
 * clients).
 * <li>On the socket: Vert.x decodes frames with Netty's decoder configured not to close on a protocol violation, and
 * then drops the TCP connection without a close frame; it neither checks UTF-8 nor reports a fragmented message over
 * the limit (it drops the message and keeps the socket open). A handler placed just before Vert.x's own answers every
 * violation with the close code of RFC 6455 §7.4.1: frame or message over the limit → 1009, invalid UTF-8 in a text
 * message → 1007, any other protocol error (unmasked client frame, reserved opcode or bits, bad close code, broken
 * fragmentation) → 1002.
 * </ul>
 */
@ApplicationScoped
public class ProtocolGuard implements HttpUpgradeCheck {

    private static final Logger LOG = Logger.getLogger(ProtocolGuard.class);
    static final String HANDLER = "continuum-ws-guard";
    static final String UTF8 = "continuum-ws-utf8";
    /** The name of Vert.x's connection handler in the channel pipeline (the last one). */
    private static final String VERTX_HANDLER = "handler";

    private final long maxMessage;

    public ProtocolGuard(@ConfigProperty(name = "quarkus.websockets-next.server.max-message-size", defaultValue = "65536") long maxMessage) {
        this.maxMessage = maxMessage;
    }

    @Override
    public boolean appliesTo(String endpointId) {
        return true;
    }

    @Override
    public Uni<CheckResult> perform(HttpUpgradeContext context) {
        HttpServerRequest request = context.httpRequest();
        String protocols = request.getHeader("Sec-WebSocket-Protocol");
        if (protocols != null && !offers(protocols, UpgradeCheck.SUBPROTOCOL)) {
            LOG.debugf("WebSocket upgrade refused: subprotocols %s lack %s", protocols, UpgradeCheck.SUBPROTOCOL);
            return CheckResult.rejectUpgrade(400, Map.of("X-Problem-Field", List.of("Sec-WebSocket-Protocol")));
        }
        install(request);
        return CheckResult.permitUpgrade();
    }

    static boolean offers(String protocols, String wanted) {
        for (String p : protocols.split(",")) {
            if (p.trim().equals(wanted)) {
                return true;
            }
        }
        return false;
    }

    private void install(HttpServerRequest request) {
        if (!(request.connection() instanceof ConnectionBase conn)) {
            return;
        }
        ChannelPipeline pipeline = conn.channel().pipeline();
        Runnable add = () -> {
            if (pipeline.get(HANDLER) == null && pipeline.get(VERTX_HANDLER) != null) {
                pipeline.addBefore(VERTX_HANDLER, UTF8, new Utf8FrameValidator(false));
                pipeline.addBefore(VERTX_HANDLER, HANDLER, new Violations(maxMessage));
            }
        };
        if (conn.channel().eventLoop().inEventLoop()) {
            add.run(); // before the handshake: the first frame already meets the guard
        } else {
            conn.channel().eventLoop().execute(add);
        }
    }

    /** Counts fragmented messages and turns every decoding violation into the close frame RFC 6455 asks for. */
    static final class Violations extends ChannelInboundHandlerAdapter {
        private final long maxMessage;
        private long fragmented = -1;
        private boolean closing;

        Violations(long maxMessage) {
            this.maxMessage = maxMessage;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            if (msg instanceof WebSocketFrame frame) {
                if (closing) {
                    frame.release();
                    return;
                }
                if ((frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame) && !frame.isFinalFragment()) {
                    fragmented = frame.content().readableBytes();
                } else if (frame instanceof ContinuationWebSocketFrame && fragmented >= 0) {
                    fragmented += frame.content().readableBytes();
                    if (frame.isFinalFragment() && fragmented <= maxMessage) {
                        fragmented = -1;
                    }
                }
                if (fragmented > maxMessage) {
                    frame.release();
                    close(ctx, WebSocketCloseStatus.MESSAGE_TOO_BIG.code(), "message too big (max " + maxMessage + " bytes)");
                    return;
                }
            }
            super.channelRead(ctx, msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
            if (cause instanceof CorruptedWebSocketFrameException c) {
                int code = c.closeStatus().code();
                if (code != 1009 && code != 1007) {
                    code = WebSocketCloseStatus.PROTOCOL_ERROR.code();
                }
                LOG.debugf("closing WebSocket %s with %d: %s", ctx.channel().remoteAddress(), code, c.getMessage());
                close(ctx, code, reason(code));
                return;
            }
            super.exceptionCaught(ctx, cause);
        }

        private static String reason(int code) {
            return switch (code) {
                case 1009 -> "message too big";
                case 1007 -> "invalid UTF-8";
                default -> "protocol error";
            };
        }

        private void close(ChannelHandlerContext ctx, int code, String reason) {
            if (closing) {
                return;
            }
            closing = true;
            if (ctx.channel().isActive()) {
                ctx.writeAndFlush(new CloseWebSocketFrame(code, reason)).addListener(ChannelFutureListener.CLOSE);
            }
        }
    }
}
