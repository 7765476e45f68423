package io.continuum.recommendation;

import io.continuum.events.CloudEvent;
import io.continuum.events.EventCodec;
import io.continuum.events.EventData;
import io.continuum.events.EventType;
import io.continuum.recommendation.domain.Catalog;
import io.continuum.recommendation.domain.CatalogItem;
import io.continuum.recommendation.domain.Kind;
import io.continuum.testing.LocalStack;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Test data: planted-taste accounts written straight into the service's table, and events on the real broker. */
public final class Fixtures {

    public static final Set<String> DOCS = Set.of("documentary", "nature");
    public static final Set<String> FUN = Set.of("comedy", "family");

    private Fixtures() {
    }

    /** Long-form items (movies, episodes) whose primary genre is in {@code genres}, in a stable order. */
    public static List<CatalogItem> longForm(Catalog catalog, Set<String> genres) {
        return catalog.items().stream()
                .filter(i -> (i.kind() == Kind.MOVIE || i.kind() == Kind.EPISODE) && genres.contains(i.primaryGenre()))
                .sorted(Comparator.comparing(CatalogItem::itemId)).toList();
    }

    /**
     * {@code perTaste} accounts who finished 25 items of DOCS and as many who finished 25 of FUN, plus 3 random items
     * each; returns the account prefix (delete with {@link #deletePlanted}).
     */
    public static String plant(Pool pool, Catalog catalog, int perTaste, long seed) {
        String prefix = "planted-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        Random rnd = new Random(seed);
        List<CatalogItem> all = new ArrayList<>(catalog.items());
        all.sort(Comparator.comparing(CatalogItem::itemId));
        List<Tuple> rows = new ArrayList<>();
        for (int a = 0; a < 2 * perTaste; a++) {
            List<CatalogItem> taste = longForm(catalog, a % 2 == 0 ? DOCS : FUN);
            String account = prefix + a;
            java.util.Set<String> seen = new java.util.HashSet<>();
            while (seen.size() < 25) {
                seen.add(taste.get(Math.min(taste.size() - 1, (int) Math.abs(rnd.nextGaussian() * taste.size() / 3))).itemId());
            }
            while (seen.size() < 28) {
                seen.add(all.get(rnd.nextInt(all.size())).itemId());
            }
            seen.forEach(item -> rows.add(Tuple.of(account, item)));
        }
        pool.preparedQuery("insert into interaction (account_id, item_id, max_ratio, completed, updated_at)"
                + " values ($1, $2, 1, true, now())").executeBatch(rows).await().atMost(Duration.ofSeconds(30));
        return prefix;
    }

    public static void deletePlanted(Pool pool, String prefix) {
        pool.preparedQuery("delete from interaction where account_id like $1").execute(Tuple.of(prefix + "%"))
                .await().atMost(Duration.ofSeconds(30));
    }

    public static KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.KAFKA_BOOTSTRAP,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()));
    }

    public static <T extends EventData> CloudEvent publish(KafkaProducer<String, byte[]> producer, EventType<T> type,
            String account, String deviceId, T data) {
        CloudEvent e = CloudEvent.of(type, "/test", account, deviceId, null, data);
        send(producer, type.topic(), e);
        return e;
    }

    public static void send(KafkaProducer<String, byte[]> producer, String topic, CloudEvent e) {
        try {
            producer.send(new ProducerRecord<>(topic, e.key(), EventCodec.shared().encode(e))).get();
        } catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
    }
}
