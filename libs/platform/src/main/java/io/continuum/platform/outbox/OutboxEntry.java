package io.continuum.platform.outbox;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** One event waiting to be published; see V0_1__platform_outbox_inbox_idempotency.sql. */
@Entity
@Table(name = "outbox")
public class OutboxEntry extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    public short lane;

    public String topic;

    @Column(name = "message_key")
    public String messageKey;

    @Column(name = "event_id")
    public UUID eventId;

    @Column(name = "event_type")
    public String eventType;

    public String payload;

    /** W3C trace context of the writing request; {@code null} while tracing is off. */
    public String traceparent;

    @Column(name = "created_at", insertable = false, updatable = false)
    public Instant createdAt;
}
