package io.continuum.e2e.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.continuum.client.AccountState;
import io.continuum.client.ContinuumClient;
import io.continuum.client.OfflineStore;
import io.continuum.client.OpRejection;
import io.continuum.testing.LocalStack;
import io.continuum.testing.TcpProxy;
import io.continuum.testing.ThrowAwayUsers;
import io.continuum.testing.Tokens;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The product as users meet it: several SDK devices of one account ({@code clients/java}), the real stack through
 * the gateway (Keycloak, Kafka, PostgreSQL, every service). Each scenario has its own throw-away user, so it sees
 * only its own devices' changes. Nothing is faked.
 */
class SdkScenariosE2ETest {

    static final Duration WAIT = Duration.ofSeconds(30);
    static final long MOVIE_MS = 5_400_000;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @RegisterExtension
    static final ThrowAwayUsers USERS = new ThrowAwayUsers("netflix", "chat", "game", "logout", "offline", "poison", "backlog", "slow", "burst");

    @TempDir
    Path disk;

    @BeforeAll
    static void stack() {
        LocalStack.ensureFullStack();
    }

    @Test
    void netflixPausedOnThePhoneIsLiveOnTheLaptopAndTheNewTvResumesThere() {
        try (Devices d = new Devices(USERS.get("netflix"), disk)) {
            Devices.Device phone = d.start("phone", "phone");
            Devices.Device laptop = d.start("laptop", "desktop");
            await().atMost(WAIT).until(() -> phone.client().online() && laptop.client().online());
            String movie = "movie-" + d.run;

            phone.client().playback(movie, 754_567, MOVIE_MS, "paused");
            // optimistic: shown on the phone at once, before any answer
            assertThat(phone.client().state().playback(movie)).get()
                    .extracting(AccountState.Playback::positionMs).isEqualTo(754_567L);

            await().atMost(WAIT).untilAsserted(() -> assertThat(laptop.client().state().playback(movie)).get()
                    .satisfies(p -> {
                        assertThat(p.positionMs()).isEqualTo(754_567);
                        assertThat(p.state()).isEqualTo("paused");
                        assertThat(p.deviceId()).isEqualTo(phone.client().deviceId());
                    }));

            Devices.Device tv = d.start("tv", "tv");
            assertThat(tv.client().state().playback(movie)).get().satisfies(p -> {
                assertThat(p.positionMs()).isEqualTo(754_567);
                assertThat(p.state()).isEqualTo("paused");
                assertThat(p.pending()).isFalse();
            });
            JsonNode devices = tv.client().devices();
            assertThat(devices.findValuesAsText("deviceId")).contains(phone.client().deviceId(),
                    laptop.client().deviceId(), tv.client().deviceId());
        }
    }

    @Test
    void chatFromThePhoneReachesTheDesktopAndReadingItThereClearsItOnThePhone() {
        try (Devices d = new Devices(USERS.get("chat"), disk)) {
            Devices.Device phone = d.start("phone", "phone");
            Devices.Device desktop = d.start("desktop", "desktop");
            await().atMost(WAIT).until(() -> phone.client().online() && desktop.client().online());

            String channel = phone.client().createChannel("family", List.of(phone.client().session().accountId()))
                    .path("channelId").asText();
            phone.client().sendChat(channel, "m-" + d.run, "dinner at 8?");

            JsonNode message = await().atMost(WAIT).until(() -> desktop.heard().notifications.stream()
                    .filter(f -> f.path("type").asText().startsWith("continuum.chat.message-posted")
                            && "dinner at 8?".equals(f.path("data").path("body").asText()))
                    .findFirst().orElse(null), f -> f != null);
            String id = message.path("id").asText();
            desktop.client().markRead(id);

            await().atMost(WAIT).until(() -> phone.heard().notifications.stream().anyMatch(f ->
                    f.path("type").asText().startsWith("continuum.notification.read") && id.equals(f.path("data").path("id").asText())));
        }
    }

    @Test
    void gamePurchaseOnTheConsoleShowsOnThePhoneAnd100ConcurrentSpendsFrom3DevicesNeverOverdraw() throws Exception {
        try (Devices d = new Devices(USERS.get("game"), disk)) {
            Devices.Device console = d.start("console", "console");
            Devices.Device phone = d.start("phone", "phone");
            Devices.Device tv = d.start("tv", "tv");
            await().atMost(WAIT).until(() -> console.client().online() && phone.client().online() && tv.client().online());

            console.client().credit("gold", 50, "welcome bonus");
            console.client().purchase("gold", 10, "sword", 1);
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(phone.client().state().wallet("gold")).isEqualTo(40);
                assertThat(phone.client().state().inventory("sword")).isEqualTo(1);
            });

            List<Devices.Device> three = List.of(console, phone, tv);
            CountDownLatch go = new CountDownLatch(1);
            List<CompletableFuture<Void>> spenders = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Devices.Device dev = three.get(i);
                int n = i == 0 ? 34 : 33;
                spenders.add(CompletableFuture.runAsync(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    for (int k = 0; k < n; k++) {
                        dev.client().debit("gold", 1, "spend " + k);
                    }
                }));
            }
            go.countDown();
            CompletableFuture.allOf(spenders.toArray(CompletableFuture[]::new)).get();

            await().atMost(WAIT).until(() -> three.stream().allMatch(x -> x.client().queued() == 0));
            long rejected = three.stream().mapToLong(x -> x.client().rejectedOps().size()).sum();
            assertThat(three.stream().flatMap(x -> x.client().rejectedOps().stream()).map(OfflineStore.DeadOp::reason))
                    .containsOnly("insufficient-funds");
            assertThat(rejected).isEqualTo(60);
            await().atMost(WAIT).untilAsserted(() -> {
                for (Devices.Device x : three) {
                    assertThat(x.client().state().wallet("gold")).isZero();
                    assertThat(x.client().state().revision()).isEqualTo(console.client().state().revision());
                }
            });
            JsonNode ledger = console.client().api().get("/api/state/game/ledger?limit=1000");
            long debits = Stream.of(ledger.path("entries"), ledger.path("items"), ledger).filter(JsonNode::isArray).findFirst()
                    .map(a -> java.util.stream.StreamSupport.stream(a.spliterator(), false)
                            .filter(e -> "debit".equals(e.path("entry").asText()) && "gold".equals(e.path("key").asText())).count())
                    .orElse(-1L);
            assertThat(debits).as("ledger " + ledger).isEqualTo(41); // the purchase's debit + 40 spends
        }
    }

    @Test
    void logOutEverywhereClosesEverySocketAndEveryOldTokenIsRefusedEverywhere() throws Exception {
        try (Devices d = new Devices(USERS.get("logout"), disk)) {
            List<Devices.Device> all = new ArrayList<>();
            for (String name : List.of("phone", "laptop", "tv")) {
                Devices.Device dev = d.build(name, name.equals("laptop") ? "desktop" : name, false);
                dev.client().signInWithPassword(d.user.username(), d.user.password()).start();
                all.add(dev);
            }
            await().atMost(WAIT).until(() -> all.stream().allMatch(x -> x.client().online()));
            List<io.continuum.client.Auth.Tokens> old = all.stream().map(x -> x.client().session()).toList();

            all.get(0).client().logoutEverywhere();

            await().atMost(WAIT).until(() -> all.stream().noneMatch(x -> x.client().online()));
            await().atMost(WAIT).until(() -> all.stream().allMatch(x -> !x.heard().signedOut.isEmpty()));
            for (io.continuum.client.Auth.Tokens t : old) {
                for (String area : List.of("auth", "state", "notifications", "billing", "recommendations")) {
                    await().atMost(Duration.ofSeconds(5)).until(() -> status(LocalStack.GATEWAY_URL + "/api/" + area + "/whoami",
                            t.accessToken()) == 401);
                }
                assertThatThrownBy(() -> Tokens.refresh(t.refreshToken())).isInstanceOf(Tokens.TokenRefused.class);
            }
        }
    }

    @Test
    void opsAreTakenAtOnceWhileTheBatchBeforeThemIsStillOnASlowNetwork() {
        URI gateway = URI.create(LocalStack.GATEWAY_URL);
        try (TcpProxy network = TcpProxy.start(gateway.getHost(), gateway.getPort());
                Devices d = new Devices(USERS.get("slow"), disk)) {
            Devices.Device phone = d.build("phone", "phone", true, network.url());
            phone.client().signInWithPassword(d.user.username(), d.user.password()).start();
            Devices.Device tv = d.start("tv", "tv");
            await().atMost(WAIT).until(() -> phone.client().online() && tv.client().online());
            network.delayAnswers(Duration.ofSeconds(3)); // every answer to the phone takes 3 s from now on
            phone.client().credit("gold", 1, "first"); // its batch leaves at once and waits 3 s for the answer
            long before = System.nanoTime();
            for (int i = 0; i < 4; i++) {
                phone.client().credit("gold", 1, "while the first is on the wire " + i);
            }
            Duration taken = Duration.ofNanos(System.nanoTime() - before);
            // the SDK used to post on the thread that takes ops: each of these waited for the first batch's answer
            assertThat(taken).isLessThan(Duration.ofMillis(1_500));
            assertThat(phone.client().state().wallet("gold")).isEqualTo(5);
            network.delayAnswers(Duration.ZERO);
            await().atMost(WAIT).until(() -> phone.client().queued() == 0 && tv.client().state().wallet("gold") == 5);
            assertThat(tv.client().api().get("/api/state/snapshot").path("wallet").path("gold").asLong()).isEqualTo(5);
        }
    }

    @Test
    void aQueueOfSeveralBatchesIsSentInFullWhenTheDeviceComesBack() {
        try (Devices d = new Devices(USERS.get("backlog"), disk)) {
            Devices.Device phone = d.start("phone", "phone");
            Devices.Device tv = d.start("tv", "tv");
            await().atMost(WAIT).until(() -> phone.client().online() && tv.client().online());
            phone.client().setNetworkEnabled(false);
            int ops = 350; // four batches of at most 100
            for (int i = 0; i < ops; i++) {
                phone.client().credit("gold", 1, "backlog " + i);
            }
            phone.client().setNetworkEnabled(true);
            await().atMost(WAIT).until(() -> phone.client().queued() == 0 && tv.client().state().wallet("gold") == ops);
            assertThat(phone.client().api().get("/api/state/snapshot").path("wallet").path("gold").asLong()).isEqualTo(ops);
        }
    }

    /**
     * A device writes its confirmed state and stream cursor to its store together, at most every
     * {@code persistInterval}, not on every frame (the user's own ops are written at once); a clean close writes
     * what is due. So a device closed right after a burst of changes and started again on the same disk shows the
     * burst while still offline, and goes on from there.
     */
    @Test
    void aBurstOfChangesIsOnTheDiskAfterACleanCloseAndTheRestartedDeviceGoesOnFromIt() {
        try (Devices d = new Devices(USERS.get("burst"), disk)) {
            Devices.Device phone = d.start("phone", "phone");
            Devices.Device tv = d.start("tv", "tv");
            await().atMost(WAIT).until(() -> phone.client().online() && tv.client().online());
            int burst = 100;
            for (int i = 0; i < burst; i++) {
                phone.client().credit("gold", 1, "burst " + i);
            }
            await().atMost(WAIT).until(() -> tv.client().state().wallet("gold") == burst);
            long revision = tv.client().state().revision();
            d.closeOne(tv.client()); // closed within persistInterval of the last frame: the close writes it

            Devices.Device again = d.build("tv", "tv", true); // the same disk, not signed in yet: offline
            assertThat(again.client().state().wallet("gold")).isEqualTo(burst);
            assertThat(again.client().state().revision()).isEqualTo(revision);
            again.client().signInWithPassword(d.user.username(), d.user.password()).start();
            phone.client().credit("gold", 5, "after the restart");
            await().atMost(WAIT).until(() -> again.client().online() && again.client().state().wallet("gold") == burst + 5);
        }
    }

    @Test
    void fiftyOpsQueuedOfflineSurviveARestartAndNothingIsRewound() {
        try (Devices d = new Devices(USERS.get("offline"), disk)) {
            String movie = "movie-" + d.run;
            Devices.Device laptop = d.start("laptop", "desktop");
            Devices.Device tv = d.start("tv", "tv");
            // the phone's clock runs 10 minutes fast: the skew measured at connect must correct its action times
            Devices.Device phone = d.build("phone", "phone", true);
            String phoneId = phone.client().deviceId();
            d.closeOne(phone.client());
            ContinuumClient fast = ContinuumClient.builder().gateway(LocalStack.GATEWAY_URL).keycloak(LocalStack.KEYCLOAK_URL)
                    .device(phoneId, "phone", "java", "phone").store(phone.store())
                    .clock(Clock.offset(Clock.systemUTC(), Duration.ofMinutes(10))).build();
            fast.signInWithPassword(d.user.username(), d.user.password()).start();
            await().atMost(WAIT).until(() -> fast.online() && laptop.client().online() && tv.client().online());
            assertThat(fast.clockSkew()).isBetween(Duration.ofMinutes(-10).minusSeconds(2), Duration.ofMinutes(-10).plusSeconds(2));
            laptop.client().playback(movie, 60_000, MOVIE_MS, "playing");
            await().atMost(WAIT).until(() -> fast.state().playback(movie).isPresent() && fast.queued() == 0);

            // offline: 40 credits and 10 seeks to 12:00…12:09
            fast.setNetworkEnabled(false);
            for (int i = 0; i < 40; i++) {
                fast.credit("gold", 1, "offline " + i);
            }
            for (int i = 0; i < 10; i++) {
                fast.playback(movie, 720_000 + i * 1_000L, MOVIE_MS, "paused");
            }
            Instant lastPhoneAction = Instant.now();
            assertThat(fast.queued()).isEqualTo(50);
            assertThat(fast.state().wallet("gold")).isEqualTo(40);
            fast.close(); // the process dies with 50 ops queued

            // meanwhile, later in time, the laptop watches on to 40:00 and the TV credits 100
            await().atMost(WAIT).until(() -> Instant.now().isAfter(lastPhoneAction.plusSeconds(2)));
            laptop.client().playback(movie, 2_400_000, MOVIE_MS, "paused");
            tv.client().credit("gold", 100, "gift");
            await().atMost(WAIT).until(() -> laptop.client().queued() == 0 && tv.client().queued() == 0);

            // the phone's process starts again on the same disk: the queue is there before it is online
            Devices.Device again = d.build("phone", "phone", true);
            assertThat(again.client().queued()).isEqualTo(50);
            assertThat(again.client().state().pending()).isEqualTo(50);
            again.client().signInWithPassword(d.user.username(), d.user.password()).start();

            await().atMost(WAIT).until(() -> again.client().queued() == 0);
            List<Devices.Device> every = List.of(again, laptop, tv);
            await().atMost(WAIT).untilAsserted(() -> {
                JsonNode server = again.client().api().get("/api/state/snapshot");
                for (Devices.Device x : every) {
                    AccountState s = x.client().state();
                    assertThat(s.revision()).isEqualTo(server.path("revision").asLong());
                    assertThat(s.wallet("gold")).isEqualTo(140);
                    assertThat(s.playback(movie)).get().satisfies(p -> {
                        assertThat(p.positionMs()).as("never rewound").isEqualTo(2_400_000);
                        assertThat(p.deviceId()).isEqualTo(laptop.client().deviceId());
                    });
                }
            });
            Map<String, Long> reasons = again.client().rejectedOps().stream()
                    .collect(Collectors.groupingBy(OfflineStore.DeadOp::reason, Collectors.counting()));
            assertThat(reasons).containsExactly(Map.entry("superseded", 10L));
        }
    }

    @Test
    void aPoisonOpLeavesTheQueueWithItsReasonAndNeverBlocksTheOpsBehindIt() {
        try (Devices d = new Devices(USERS.get("poison"), disk)) {
            Devices.Device phone = d.start("phone", "phone");
            await().atMost(WAIT).until(() -> phone.client().online());
            phone.client().setNetworkEnabled(false);
            phone.client().credit("gold", 100, "a");
            String tooMuch = phone.client().debit("gold", 1_000, "b");
            String invalid = phone.client().playback("movie-" + d.run, 10_000, 5_000, "paused"); // position > duration: 422
            phone.client().credit("gold", 5, "d");
            assertThat(phone.client().state().wallet("gold")).isEqualTo(105);
            assertThat(phone.client().state().playback("movie-" + d.run)).isPresent();

            phone.client().setNetworkEnabled(true);
            await().atMost(WAIT).until(() -> phone.client().queued() == 0);
            assertThat(phone.client().state().wallet("gold")).isEqualTo(105);
            assertThat(phone.client().state().playback("movie-" + d.run)).as("rolled back").isEmpty();
            assertThat(phone.heard().rejections).extracting(OpRejection::opId, OpRejection::reason)
                    .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(tooMuch, "insufficient-funds"),
                            org.assertj.core.groups.Tuple.tuple(invalid, "invalid"));
            assertThat(phone.client().rejectedOps()).hasSize(2);
        }
    }

    static int status(String url, String token) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
