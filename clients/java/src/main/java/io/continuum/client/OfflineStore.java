package io.continuum.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The device's file-backed store (an embedded H2 database in one file): the offline queue, the ops taken out of
 * it with their reason (dead letters), and a few values that must survive a restart (the last snapshot, the
 * stream cursor, the refresh token).
 *
 * <p>Every write is committed before the method returns ({@code WRITE_DELAY=0}), so an op a user made is on disk
 * when {@link #enqueue} returns, and a process killed at any moment loses nothing. H2 locks the file: one process
 * per device store, which is the rule anyway (two processes would be two devices with one id).
 */
public final class OfflineStore implements AutoCloseable {

    /** An op waiting in the queue, in the order it was made. */
    public record QueuedOp(long position, String opId, ObjectNode op, int attempts, Instant queuedAt) {
    }

    /** An op taken out of the queue because the server refused it; it will never be sent again. */
    public record DeadOp(String opId, ObjectNode op, String reason, String detail, Instant at) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Connection db;

    private OfflineStore(Connection db) {
        this.db = db;
    }

    /** Opens (or creates) the store of one device in {@code dir}. */
    public static OfflineStore open(Path dir, String deviceId) {
        try {
            Files.createDirectories(dir);
            String file = dir.toAbsolutePath().resolve("continuum-" + deviceId.replaceAll("[^A-Za-z0-9._-]", "_")).toString();
            Connection c = DriverManager.getConnection("jdbc:h2:file:" + file + ";WRITE_DELAY=0", "sa", "");
            try (Statement s = c.createStatement()) {
                s.execute("create table if not exists queued_op (pos bigint auto_increment primary key,"
                        + " op_id varchar(128) not null unique, body clob not null, attempts int default 0 not null,"
                        + " queued_at timestamp with time zone not null)");
                s.execute("create table if not exists dead_op (op_id varchar(128) primary key, body clob not null,"
                        + " reason varchar(200) not null, detail varchar(4000), at timestamp with time zone not null)");
                s.execute("create table if not exists kv (k varchar(64) primary key, v clob)");
            }
            return new OfflineStore(c);
        } catch (Exception e) {
            throw new IllegalStateException("cannot open the device store in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Appends an op (it must have an {@code opId}); the same op id twice is stored once. */
    public synchronized void enqueue(ObjectNode op) {
        String opId = op.path("opId").asText(null);
        if (opId == null || opId.isEmpty()) {
            throw new IllegalArgumentException("an op needs an opId");
        }
        try (PreparedStatement p = db.prepareStatement(
                "merge into queued_op (op_id, body, queued_at) key (op_id) values (?, ?, ?)")) {
            p.setString(1, opId);
            p.setString(2, op.toString());
            p.setTimestamp(3, Timestamp.from(Instant.now()));
            p.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot queue op " + opId, e);
        }
    }

    /** The oldest {@code max} queued ops, in order. */
    public synchronized List<QueuedOp> head(int max) {
        List<QueuedOp> ops = new ArrayList<>();
        try (PreparedStatement p = db.prepareStatement(
                "select pos, op_id, body, attempts, queued_at from queued_op order by pos limit ?")) {
            p.setInt(1, max);
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    ops.add(new QueuedOp(r.getLong(1), r.getString(2), parse(r.getString(3)), r.getInt(4),
                            r.getTimestamp(5).toInstant()));
                }
            }
            return ops;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the queue", e);
        }
    }

    public List<QueuedOp> all() {
        return head(Integer.MAX_VALUE);
    }

    public synchronized int size() {
        try (Statement s = db.createStatement(); ResultSet r = s.executeQuery("select count(*) from queued_op")) {
            r.next();
            return r.getInt(1);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot count the queue", e);
        }
    }

    /** The server answered the op (applied or duplicate): it leaves the queue. */
    public synchronized void remove(String opId) {
        update("delete from queued_op where op_id = ?", opId);
    }

    /** Counts a failed try of the ops (network, 5xx): they stay in the queue, in place. */
    public synchronized void countAttempt(List<String> opIds) {
        for (String id : opIds) {
            update("update queued_op set attempts = attempts + 1 where op_id = ?", id);
        }
    }

    /** The server refused the op for good: it leaves the queue with its reason, in one transaction. */
    public synchronized void deadLetter(String opId, String reason, String detail) {
        try {
            db.setAutoCommit(false);
            try (PreparedStatement p = db.prepareStatement(
                    "merge into dead_op (op_id, body, reason, detail, at) key (op_id)"
                            + " select op_id, body, ?, ?, ? from queued_op where op_id = ?")) {
                p.setString(1, truncate(reason, 200));
                p.setString(2, truncate(detail, 4000));
                p.setTimestamp(3, Timestamp.from(Instant.now()));
                p.setString(4, opId);
                p.executeUpdate();
            }
            try (PreparedStatement p = db.prepareStatement("delete from queued_op where op_id = ?")) {
                p.setString(1, opId);
                p.executeUpdate();
            }
            db.commit();
        } catch (SQLException e) {
            rollback();
            throw new IllegalStateException("cannot dead-letter op " + opId, e);
        } finally {
            autoCommit();
        }
    }

    public synchronized List<DeadOp> deadLetters() {
        List<DeadOp> ops = new ArrayList<>();
        try (Statement s = db.createStatement();
             ResultSet r = s.executeQuery("select op_id, body, reason, detail, at from dead_op order by at")) {
            while (r.next()) {
                ops.add(new DeadOp(r.getString(1), parse(r.getString(2)), r.getString(3), r.getString(4),
                        r.getTimestamp(5).toInstant()));
            }
            return ops;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read dead letters", e);
        }
    }

    /** Drops every queued op (the rule for a device offline longer than the server's op history: reload). */
    public synchronized int clearQueue() {
        try (Statement s = db.createStatement()) {
            return s.executeUpdate("delete from queued_op");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot clear the queue", e);
        }
    }

    public synchronized Optional<String> get(String key) {
        try (PreparedStatement p = db.prepareStatement("select v from kv where k = ?")) {
            p.setString(1, key);
            try (ResultSet r = p.executeQuery()) {
                return r.next() ? Optional.ofNullable(r.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read " + key, e);
        }
    }

    public synchronized void put(String key, String value) {
        if (value == null) {
            update("delete from kv where k = ?", key);
            return;
        }
        try (PreparedStatement p = db.prepareStatement("merge into kv (k, v) key (k) values (?, ?)")) {
            p.setString(1, key);
            p.setString(2, value);
            p.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot write " + key, e);
        }
    }

    /** Writes several keys in one transaction (a {@code null} value deletes its key): all of them, or none. */
    public synchronized void putAll(java.util.Map<String, String> values) {
        try {
            db.setAutoCommit(false);
            try (PreparedStatement merge = db.prepareStatement("merge into kv (k, v) key (k) values (?, ?)");
                    PreparedStatement delete = db.prepareStatement("delete from kv where k = ?")) {
                for (java.util.Map.Entry<String, String> e : values.entrySet()) {
                    if (e.getValue() == null) {
                        delete.setString(1, e.getKey());
                        delete.executeUpdate();
                    } else {
                        merge.setString(1, e.getKey());
                        merge.setString(2, e.getValue());
                        merge.executeUpdate();
                    }
                }
            }
            db.commit();
        } catch (SQLException e) {
            rollback();
            throw new IllegalStateException("cannot write " + values.keySet(), e);
        } finally {
            autoCommit();
        }
    }

    @Override
    public synchronized void close() {
        try {
            db.close();
        } catch (SQLException e) {
            // closing a local file: nothing to do about it
        }
    }

    private void update(String sql, String arg) {
        try (PreparedStatement p = db.prepareStatement(sql)) {
            p.setString(1, arg);
            p.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("store update failed: " + sql, e);
        }
    }

    private void rollback() {
        try {
            db.rollback();
        } catch (SQLException ignored) {
            // the original failure is what gets reported
        }
    }

    private void autoCommit() {
        try {
            db.setAutoCommit(true);
        } catch (SQLException ignored) {
            // next statement will fail and report
        }
    }

    private static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }

    static ObjectNode parse(String json) {
        try {
            return (ObjectNode) JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON is not readable", e);
        }
    }
}
