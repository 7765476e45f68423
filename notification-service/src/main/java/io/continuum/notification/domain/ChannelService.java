package io.continuum.notification.domain;

import io.continuum.notification.messaging.FrameRouter;
import io.continuum.notification.persistence.StreamStore;
import io.continuum.platform.problem.ProblemException;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Chat-style channels: members, messages with a per-channel sequence, history with paging. A posted message is
 * stored once per (sender, client message id), and in the same transaction becomes a frame of every member's
 * account stream; after commit the frames are pushed like any other.
 */
@ApplicationScoped
public class ChannelService {

    public static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    public static final Pattern ACCOUNT_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    public static final int MAX_BODY = 4000;
    public static final int MAX_MEMBERS = 100;

    private final Pool pool;
    private final StreamStore store;
    private final FrameRouter router;

    public ChannelService(Pool pool, StreamStore store, FrameRouter router) {
        this.pool = pool;
        this.store = store;
        this.router = router;
    }

    public record Channel(String channelId, String name, String createdBy, long head, List<String> members) {
    }

    public record Message(String channelId, long seq, String messageId, String clientMessageId, String senderAccountId,
            String senderDeviceId, String body, Instant sentAt) {
    }

    /** A post's outcome: the stored message, and whether this post stored it (false: a repeat of an earlier post). */
    public record Posted(Message message, boolean created) {
    }

    public record Page(List<Message> messages, Long nextBefore) {
    }

    public Uni<Channel> create(String accountId, String name, List<String> members) {
        if (name == null || name.isBlank() || name.length() > 100) {
            throw ProblemException.invalid("name", "must be 1 to 100 characters");
        }
        Set<String> all = new LinkedHashSet<>();
        all.add(accountId);
        if (members != null) {
            for (int i = 0; i < members.size(); i++) {
                String m = members.get(i);
                if (m == null || !ACCOUNT_ID.matcher(m).matches()) {
                    throw ProblemException.invalid("members[" + i + "]", "must be an account id");
                }
                all.add(m);
            }
        }
        if (all.size() > MAX_MEMBERS) {
            throw ProblemException.invalid("members", "at most " + MAX_MEMBERS + " members");
        }
        String id = UUID.randomUUID().toString();
        return pool.withTransaction(conn -> conn.preparedQuery("insert into channel (channel_id, name, created_by) values ($1, $2, $3)")
                        .execute(Tuple.of(id, name, accountId))
                        .chain(() -> conn.preparedQuery("insert into channel_member (channel_id, account_id) values ($1, $2) on conflict do nothing")
                                .executeBatch(all.stream().map(a -> Tuple.of(id, a)).toList())))
                .replaceWith(new Channel(id, name, accountId, 0, List.copyOf(all)));
    }

    public Uni<List<Channel>> list(String accountId) {
        return pool.preparedQuery("""
                        select c.channel_id, c.name, c.created_by, c.head,
                               array(select m2.account_id from channel_member m2 where m2.channel_id = c.channel_id order by m2.joined_at, m2.account_id) as members
                        from channel c join channel_member m on m.channel_id = c.channel_id
                        where m.account_id = $1 order by c.created_at, c.channel_id""")
                .execute(Tuple.of(accountId))
                .map(rows -> {
                    List<Channel> list = new ArrayList<>();
                    for (Row r : rows) {
                        list.add(toChannel(r));
                    }
                    return list;
                });
    }

    public Uni<Channel> get(String accountId, String channelId) {
        return pool.preparedQuery("""
                        select c.channel_id, c.name, c.created_by, c.head,
                               array(select m2.account_id from channel_member m2 where m2.channel_id = c.channel_id order by m2.joined_at, m2.account_id) as members
                        from channel c join channel_member m on m.channel_id = c.channel_id
                        where c.channel_id = $1 and m.account_id = $2""")
                .execute(Tuple.of(channelId, accountId))
                .map(rows -> {
                    if (rows.size() == 0) {
                        // not a member and not existing look the same: no channel ids leak across accounts
                        throw ProblemException.notFound("channel " + channelId);
                    }
                    return toChannel(rows.iterator().next());
                });
    }

    private static Channel toChannel(Row r) {
        String[] members = r.getArrayOfStrings("members");
        return new Channel(r.getString("channel_id"), r.getString("name"), r.getString("created_by"), r.getLong("head"),
                members == null ? List.of() : List.of(members));
    }

    public Uni<Channel> addMember(String accountId, String channelId, String member) {
        if (member == null || !ACCOUNT_ID.matcher(member).matches()) {
            throw ProblemException.invalid("accountId", "must be an account id");
        }
        return get(accountId, channelId)
                .chain(c -> pool.preparedQuery("insert into channel_member (channel_id, account_id) values ($1, $2) on conflict do nothing")
                        .execute(Tuple.of(channelId, member)))
                .chain(() -> get(accountId, channelId));
    }

    /** Posts a message; posting the same client message id again returns the stored message and stores nothing. */
    public Uni<Posted> post(String accountId, String deviceId, String channelId, String clientMessageId, String body) {
        if (clientMessageId == null || !CLIENT_ID.matcher(clientMessageId).matches()) {
            return Uni.createFrom().failure(ProblemException.invalid("clientMessageId", "must match " + CLIENT_ID.pattern()));
        }
        if (body == null || body.isBlank()) {
            return Uni.createFrom().failure(ProblemException.invalid("body", "must not be blank"));
        }
        if (body.length() > MAX_BODY) {
            return Uni.createFrom().failure(ProblemException.invalid("body", "at most " + MAX_BODY + " characters"));
        }
        List<Frame> stored = new ArrayList<>();
        return pool.withTransaction(conn -> conn.preparedQuery("""
                                select c.head from channel c join channel_member m on m.channel_id = c.channel_id
                                where c.channel_id = $1 and m.account_id = $2 for update of c""")
                        .execute(Tuple.of(channelId, accountId))
                        .chain(rows -> {
                            if (rows.size() == 0) {
                                return Uni.createFrom().failure(ProblemException.notFound("channel " + channelId));
                            }
                            return existing(conn, channelId, accountId, clientMessageId)
                                    .chain(found -> found != null
                                            ? Uni.createFrom().item(new Posted(found, false))
                                            : insert(conn, channelId, accountId, deviceId, clientMessageId, body, stored));
                        }))
                .invoke(posted -> stored.forEach(router::stored));
    }

    private Uni<Message> existing(SqlConnection conn, String channelId, String accountId, String clientMessageId) {
        return conn.preparedQuery("select * from channel_message where channel_id = $1 and sender_account = $2 and client_message_id = $3")
                .execute(Tuple.of(channelId, accountId, clientMessageId))
                .map(rows -> rows.size() == 0 ? null : toMessage(rows.iterator().next()));
    }

    private Uni<Posted> insert(SqlConnection conn, String channelId, String accountId, String deviceId,
            String clientMessageId, String body, List<Frame> stored) {
        return conn.preparedQuery("update channel set head = head + 1 where channel_id = $1 returning head")
                .execute(Tuple.of(channelId))
                .chain(rows -> {
                    long seq = rows.iterator().next().getLong(0);
                    return conn.preparedQuery("""
                                    insert into channel_message (channel_id, seq, client_message_id, sender_account, sender_device, body)
                                    values ($1, $2, $3, $4, $5, $6) returning *""")
                            .execute(Tuple.tuple().addValue(channelId).addValue(seq).addValue(clientMessageId)
                                    .addValue(accountId).addValue(deviceId).addValue(body))
                            .map(r -> toMessage(r.iterator().next()));
                })
                .chain(message -> conn.preparedQuery("select account_id from channel_member where channel_id = $1 order by account_id")
                        .execute(Tuple.of(channelId))
                        .chain(members -> {
                            Uni<Void> chain = Uni.createFrom().voidItem();
                            String data = Json.write(frameData(message));
                            for (Row m : members) {
                                String member = m.getString(0);
                                FrameDraft draft = new FrameDraft(member, "chat:" + channelId + ":" + message.seq(),
                                        FrameTypes.CHAT_MESSAGE, DeliveryClass.ORDERED, null,
                                        member.equals(accountId) ? deviceId : null, null, message.sentAt(), data);
                                chain = chain.chain(() -> store.append(conn, draft)
                                        .invoke(f -> f.ifPresent(stored::add)).replaceWithVoid());
                            }
                            return chain;
                        })
                        .replaceWith(new Posted(message, true)));
    }

    private static Map<String, Object> frameData(Message m) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("channelId", m.channelId());
        d.put("channelSeq", m.seq());
        d.put("messageId", m.messageId());
        d.put("clientMessageId", m.clientMessageId());
        d.put("senderAccountId", m.senderAccountId());
        d.put("senderDeviceId", m.senderDeviceId());
        d.put("body", m.body());
        d.put("sentAt", m.sentAt().toString());
        return d;
    }

    public Uni<Page> history(String accountId, String channelId, Long before, int limit) {
        if (limit < 1 || limit > 200) {
            throw ProblemException.invalid("limit", "must be between 1 and 200");
        }
        long upper = before == null ? Long.MAX_VALUE : before;
        return get(accountId, channelId)
                .chain(c -> pool.preparedQuery("select * from channel_message where channel_id = $1 and seq < $2 order by seq desc limit $3")
                        .execute(Tuple.of(channelId, upper, limit)))
                .map(rows -> {
                    List<Message> list = new ArrayList<>();
                    for (Row r : rows) {
                        list.add(toMessage(r));
                    }
                    java.util.Collections.reverse(list);
                    Long next = list.size() == limit && list.get(0).seq() > 1 ? list.get(0).seq() : null;
                    return new Page(list, next);
                });
    }

    private static Message toMessage(Row r) {
        OffsetDateTime at = r.getOffsetDateTime("created_at");
        String channelId = r.getString("channel_id");
        long seq = r.getLong("seq");
        return new Message(channelId, seq, channelId + ":" + seq, r.getString("client_message_id"),
                r.getString("sender_account"), r.getString("sender_device"), r.getString("body"), at.toInstant());
    }
}
