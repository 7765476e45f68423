package io.continuum.helm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The capacity model of docs/operations.md ("Capacity: the road to 1M devices"): takes the measured per-replica
 * figures from docs/benchmarks.md and prints replicas, Kafka partitions, PostgreSQL sizing and pools for 10k, 100k
 * and 1M connected devices. Run alone: {@code ./mvnw -pl helm/tests test -Dtest=CapacityModelTest}. The assumptions
 * are the constants below; a figure missing from benchmarks.md falls back to the value noted (and says so).
 */
class CapacityModelTest {

    // --- assumptions (state them, change them here) ---
    /** Devices per account (phone, TV, laptop). */
    static final double DEVICES_PER_ACCOUNT = 3;
    /** Share of connected devices doing something at a given moment (playing, playing a game). */
    static final double ACTIVE_SHARE = 0.2;
    /** Ops per second an active device pushes (playback position every 10 s, game ops, acks batched). */
    static final double OPS_PER_ACTIVE_DEVICE = 0.1;
    /** Heap given to a notification-service replica (the production limit is 1.5 GiB, heap 70 %). */
    static final double HEAP_MB = 1024;
    /** Share of the heap sockets may use (the rest: replay pages, buffers, GC headroom). */
    static final double SOCKET_HEAP_SHARE = 0.5;
    /** Utilisation target per replica: run at half the measured ceiling (reconnect storms, a lost zone). */
    static final double HEADROOM = 0.5;
    /** Reactive pool per pod (postgresql.poolMaxSize). */
    static final int POOL_PER_POD = 20;
    /** Consumer groups that read every public topic (notification ingest, recommendation, ...). */
    static final int MIN_PARTITIONS = 6;

    record Figures(double kbPerSocket, double framesPerSecond, double opsPerSecond, double connectsPerSecond, List<String> notes) { }

    record Plan(long devices, int notificationReplicas, int sessionReplicas, int otherReplicas, int partitions,
                int pgConnections, double writesPerSecond, double framesPerSecond, double stormSeconds) { }

    static Figures figures() throws Exception {
        String md = Files.readString(Charts.repoRoot().resolve("docs/benchmarks.md"));
        List<String> notes = new ArrayList<>();
        double kb = find(md, "\\*\\*10,000\\*\\*[^\\n]*\\|\\s*([0-9.]+) KB\\s*\\|", 24.7, "heap per socket (KB)", notes);
        double frames = find(md, "\\*\\*([0-9,]+) frames/s\\*\\*", 25_600, "fan-out frames/s per replica", notes);
        double ops = find(md, "\\|\\s*1\\s*\\|\\s*8\\s*\\|\\s*2,000\\s*\\|\\s*([0-9,]+) ops/s", 183, "single-op pushes/s per replica", notes);
        double connects = find(md, "\\(~([0-9,]+) streams live per second", 200, "connects/s per replica", notes);
        return new Figures(kb, frames, ops, connects, notes);
    }

    static double find(String md, String regex, double fallback, String what, List<String> notes) {
        Matcher m = Pattern.compile(regex).matcher(md);
        if (m.find()) {
            double v = Double.parseDouble(m.group(1).replace(",", ""));
            notes.add(String.format(Locale.ROOT, "%-32s %,10.1f  (docs/benchmarks.md)", what, v));
            return v;
        }
        notes.add(String.format(Locale.ROOT, "%-32s %,10.1f  (NOT found in docs/benchmarks.md: assumed)", what, fallback));
        return fallback;
    }

    static Plan plan(long devices, Figures f) {
        double socketsPerReplica = HEAP_MB * 1024 * SOCKET_HEAP_SHARE / f.kbPerSocket();
        double writes = devices * ACTIVE_SHARE * OPS_PER_ACTIVE_DEVICE;
        double frames = writes * DEVICES_PER_ACCOUNT; // every write is pushed to every device of the account
        int notif = Math.max(2, (int) Math.ceil(Math.max(devices / socketsPerReplica, frames / (f.framesPerSecond() * HEADROOM))));
        int session = Math.max(2, (int) Math.ceil(writes / (f.opsPerSecond() * HEADROOM)));
        int others = 2 * 3; // auth, billing, recommendation: 2 each (their load follows sign-ins and purchases, not sockets)
        // the widest consumer group is notification-service's ingest (one consumer per replica); others read by assignment
        int partitions = Math.max(MIN_PARTITIONS, Integer.highestOneBit(notif - 1) * 2);
        int pg = (notif + session + others) * POOL_PER_POD;
        // a replica dies: its sockets reconnect to the survivors, each accepting connectsPerSecond
        double storm = (devices / (double) notif) / (f.connectsPerSecond() * Math.max(1, notif - 1));
        return new Plan(devices, notif, session, others, partitions, pg, writes, frames, storm);
    }

    @Test
    void printsThePlanFor10kTo1MDevices() throws Exception {
        Figures f = figures();
        StringBuilder out = new StringBuilder("\nCapacity model (docs/operations.md, Capacity). Measured inputs:\n");
        f.notes().forEach(n -> out.append("  ").append(n).append('\n'));
        out.append(String.format(Locale.ROOT, "Assumptions: %.0f devices/account, %.0f%% active, %.2f ops/s per active device, "
                + "%.0f MB heap x %.0f%% for sockets, %.0f%% headroom, pool %d/pod%n",
                DEVICES_PER_ACCOUNT, ACTIVE_SHARE * 100, OPS_PER_ACTIVE_DEVICE, HEAP_MB, SOCKET_HEAP_SHARE * 100, HEADROOM * 100, POOL_PER_POD));
        out.append(String.format(Locale.ROOT, "%10s %8s %8s %8s %6s %8s %10s %10s %9s%n",
                "devices", "notif", "session", "others", "parts", "pg conns", "writes/s", "frames/s", "storm s"));
        List<Plan> plans = new ArrayList<>();
        for (long devices : new long[] {10_000, 100_000, 1_000_000}) {
            Plan p = plan(devices, f);
            plans.add(p);
            out.append(String.format(Locale.ROOT, "%,10d %8d %8d %8d %6d %8d %,10.0f %,10.0f %9.1f%n", p.devices(),
                    p.notificationReplicas(), p.sessionReplicas(), p.otherReplicas(), p.partitions(), p.pgConnections(),
                    p.writesPerSecond(), p.framesPerSecond(), p.stormSeconds()));
        }
        out.append("Centrifugo's published 1M setup: 20 pods (50k connections each) + 5 Redis shards (no durable history).\n");
        System.out.println(out);

        for (int i = 1; i < plans.size(); i++) {
            assertThat(plans.get(i).notificationReplicas()).isGreaterThanOrEqualTo(plans.get(i - 1).notificationReplicas());
        }
        for (Plan p : plans) {
            assertThat(p.partitions()).as("every consumer replica gets a partition").isGreaterThanOrEqualTo(
                    Math.min(p.notificationReplicas(), 64));
            assertThat(p.notificationReplicas()).isGreaterThanOrEqualTo(2);
        }
    }
}
