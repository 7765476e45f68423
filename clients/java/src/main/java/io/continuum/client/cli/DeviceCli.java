package io.continuum.client.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.continuum.client.AccountState;
import io.continuum.client.ContinuumClient;
import io.continuum.client.ContinuumException;
import io.continuum.client.ContinuumListener;
import io.continuum.client.OpRejection;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A terminal device on the SDK: {@code continuum-device --user alice --kind phone}. Prints the account stream live
 * (state changes, chat, presence, rejections) and reads commands from stdin; run two in two terminals to watch
 * them sync. {@code help} lists the commands.
 */
public final class DeviceCli {

    private static final DateTimeFormatter T = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");
    private static final String HELP = """
            commands:
              play <content> <position> [duration]   pause <content> <position>   seek <content> <position>
                  (positions as ms or m:ss[.SSS]; duration default 1:30:00)
              credit <amount> [currency]              buy <item> <price> [currency]
              chat <channelId> <text…>                channel <name>  (creates one, prints its id)
              read <notificationId>                   devices          state         queue
              offline | online                        logout-everywhere               quit
            """;

    private final PrintStream out;

    private DeviceCli(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = options(args);
        if (opt.containsKey("help") || !opt.containsKey("user") && !opt.containsKey("device-grant")) {
            System.out.println("usage: continuum-device --user alice [--password alice] [--kind phone] [--device-id id]\n"
                    + "       [--gateway http://localhost:8080] [--keycloak http://localhost:8180] [--store ~/.continuum]\n"
                    + "       [--device-grant]   (TV sign-in: shows a code to approve on another device)\n" + HELP);
            return;
        }
        new DeviceCli(System.out).run(opt);
    }

    private void run(Map<String, String> opt) throws Exception {
        String user = opt.getOrDefault("user", "tv");
        String kind = opt.getOrDefault("kind", "phone");
        String deviceId = opt.getOrDefault("device-id", user + "-" + kind);
        ContinuumClient client = ContinuumClient.builder()
                .gateway(opt.getOrDefault("gateway", "http://localhost:8080"))
                .keycloak(opt.getOrDefault("keycloak", "http://localhost:8180"))
                .device(deviceId, kind, "cli", user + "'s " + kind)
                .store(Path.of(opt.getOrDefault("store", System.getProperty("user.home") + "/.continuum")))
                .listener(new Printer())
                .build();
        if (opt.containsKey("device-grant")) {
            if (!client.signInWithStoredToken()) {
                client.signInWithDeviceCode(c -> say("to sign in, open %s and enter %s (or open %s)",
                        c.verificationUri(), c.userCode(), c.verificationUriComplete()));
            }
        } else {
            client.signInWithPassword(user, opt.getOrDefault("password", user));
        }
        client.start();
        say("%s signed in as %s (account %s), %d ops queued; type help", deviceId, user, client.session().accountId(), client.queued());
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] w = line.trim().split("\\s+");
            if (w[0].isEmpty()) {
                continue;
            }
            try {
                if (!command(client, w, line)) {
                    break;
                }
            } catch (ContinuumException | IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
                say("! %s", e.getMessage() == null ? "missing argument; type help" : e.getMessage());
            }
        }
        client.close();
    }

    private boolean command(ContinuumClient c, String[] w, String line) {
        switch (w[0]) {
            case "play", "pause", "seek" -> {
                String state = switch (w[0]) {
                    case "play" -> "playing";
                    case "pause" -> "paused";
                    default -> c.state().playback(w[1]).map(AccountState.Playback::state).orElse("paused");
                };
                long duration = w.length > 3 ? ms(w[3]) : c.state().playback(w[1]).map(AccountState.Playback::durationMs).orElse(5_400_000L);
                c.playback(w[1], ms(w[2]), duration, state);
            }
            case "credit" -> c.credit(w.length > 2 ? w[2] : "gold", Long.parseLong(w[1]), "cli");
            case "buy" -> c.purchase(w.length > 3 ? w[3] : "gold", Long.parseLong(w[2]), w[1], 1);
            case "chat" -> c.sendChat(w[1], UUID.randomUUID().toString(), line.trim().split("\\s+", 3)[2]);
            case "channel" -> say("channel %s", c.createChannel(w[1], List.of(c.session().accountId())).path("channelId").asText());
            case "read" -> c.markRead(w[1]);
            case "devices" -> c.devices().forEach(d -> say("  %-28s %-8s %-10s online=%s%s", d.path("deviceId").asText(),
                    d.path("kind").asText(), d.path("platform").asText(), d.path("online").asText(),
                    d.path("current").asBoolean() ? "  (this one)" : ""));
            case "state" -> say("%s", c.state().json().toPrettyString());
            case "queue" -> {
                say("%d queued", c.queued());
                c.rejectedOps().forEach(d -> say("  rejected %s %s: %s", d.opId(), d.reason(), d.detail()));
            }
            case "offline" -> c.setNetworkEnabled(false);
            case "online" -> c.setNetworkEnabled(true);
            case "logout-everywhere" -> {
                say("ended %s sessions", c.logoutEverywhere().path("endedSessions").asText());
                return false;
            }
            case "quit", "exit" -> {
                return false;
            }
            default -> say("%s", HELP);
        }
        return true;
    }

    /** "754567", "12:34.567" or "1:02:03" → milliseconds. */
    static long ms(String s) {
        if (!s.contains(":")) {
            return Long.parseLong(s);
        }
        String[] parts = s.split(":");
        double seconds = 0;
        for (String p : parts) {
            seconds = seconds * 60 + Double.parseDouble(p);
        }
        return Math.round(seconds * 1000);
    }

    static String clock(long ms) {
        return String.format("%d:%02d.%03d", ms / 60_000, ms / 1000 % 60, ms % 1000);
    }

    private void say(String format, Object... args) {
        out.println(LocalTime.now().format(T) + "  " + String.format(format, args));
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].startsWith("--")) {
                String key = args[i].substring(2);
                if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                    m.put(key, args[++i]);
                } else {
                    m.put(key, "true");
                }
            }
        }
        return m;
    }

    /** The live view: one line per thing that happened. */
    private final class Printer implements ContinuumListener {
        private AccountState last;

        @Override
        public void onState(AccountState s) {
            s.json().path("playback").fields().forEachRemaining(e -> {
                JsonNode before = last == null ? null : last.json().path("playback").get(e.getKey());
                if (!e.getValue().equals(before)) {
                    JsonNode p = e.getValue();
                    say("▶ %s %s at %s%s%s", e.getKey(), p.path("state").asText(), clock(p.path("positionMs").asLong()),
                            p.hasNonNull("deviceId") ? " (by " + p.path("deviceId").asText() + ")" : "",
                            p.path("pending").asBoolean() ? " [pending]" : "");
                }
            });
            if (last == null || !s.json().path("wallet").equals(last.json().path("wallet"))
                    || !s.json().path("inventory").equals(last.json().path("inventory"))) {
                say("$ wallet %s inventory %s%s", s.json().path("wallet"), s.json().path("inventory"),
                        s.pending() > 0 ? " [" + s.pending() + " pending]" : "");
            }
            last = s;
        }

        @Override
        public void onOpRejected(OpRejection r) {
            say("✗ %s %s rejected: %s %s", r.op().path("kind").asText(), r.opId(), r.reason(), r.detail());
        }

        @Override
        public void onEntitlements(JsonNode f) {
            say("★ %s %s", f.path("type").asText(), f.path("data"));
        }

        @Override
        public void onNotification(JsonNode f) {
            String type = f.path("type").asText();
            if (type.startsWith("continuum.chat.message-posted")) {
                say("✉ [%s] %s: %s   (read %s)", f.path("data").path("channelId").asText(), f.path("data").path("senderDeviceId").asText(),
                        f.path("data").path("body").asText(), f.path("id").asText());
            } else {
                say("• %s %s", type, f.path("data"));
            }
        }

        @Override
        public void onPresence(String deviceId, boolean online) {
            say("%s %s", online ? "+" : "-", deviceId + (online ? " online" : " offline"));
        }

        @Override
        public void onConnection(boolean online) {
            say(online ? "~ live" : "~ offline (queueing)");
        }

        @Override
        public void onSignedOut(String reason) {
            say("⏏ signed out: %s", reason);
        }
    }
}
