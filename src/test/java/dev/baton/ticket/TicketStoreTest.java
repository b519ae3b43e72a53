package dev.baton.ticket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.baton.config.BatonSettings.DbSettings;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The ticket store on a real (H2) database with Baton's schema: it knows the run of a ticket it inserted once the
 * insert has committed and never when it rolled back, reads the run of a ticket it does not know, and records an
 * inbox id once.
 */
class TicketStoreTest {
    final HikariDataSource db = Database.open(
            new DbSettings("jdbc:h2:mem:tickets" + System.nanoTime() + ";DB_CLOSE_DELAY=-1", "sa", "", 4, 0));
    final Tx tx = new Tx(db);
    final TicketStore store = new TicketStore();
    final Instant now = Instant.parse("2026-12-07T10:00:00Z");

    @AfterEach
    void close() {
        db.close();
    }

    private int items;

    private TicketRow ticket(String runId) {
        int item = items++;
        return new TicketRow(
                UUID.randomUUID().toString(),
                runId,
                "draft",
                0,
                item,
                "draft",
                1,
                0,
                "writer",
                TicketStatus.QUEUED,
                null,
                null,
                null,
                null,
                now,
                now,
                now,
                null);
    }

    @Test
    void knowsTheRunOfATicketItInsertedOnlyOnceTheInsertCommitted() {
        TicketRow kept = ticket("run-1");
        tx.run(c -> {
            store.insertTicket(c, kept);
            assertThat(store.rememberedRun(kept.id()))
                    .as("not before the commit")
                    .isEmpty();
            return null;
        });
        assertThat(store.rememberedRun(kept.id())).contains("run-1");

        TicketRow undone = ticket("run-2");
        assertThatThrownBy(() -> tx.run(c -> {
                    store.insertTicket(c, undone);
                    throw new IllegalStateException("rolled back");
                }))
                .hasMessage("rolled back");
        assertThat(store.rememberedRun(undone.id())).isEmpty();
        Optional<String> undoneRun = tx.run(c -> store.runOfTicket(c, undone.id()));
        assertThat(undoneRun).isEmpty();

        List<TicketRow> items = List.of(ticket("run-3"), ticket("run-3"));
        tx.run(c -> {
            store.insertTickets(c, items);
            return null;
        });
        assertThat(items)
                .allSatisfy(t -> assertThat(store.rememberedRun(t.id())).contains("run-3"));
    }

    @Test
    void readsTheRunOfATicketItDoesNotKnowAndThenKnowsIt() {
        TicketRow t = ticket("run-4");
        TicketStore other = new TicketStore(); // another instance's, say
        tx.run(c -> {
            other.insertTicket(c, t);
            return null;
        });
        assertThat(store.rememberedRun(t.id())).isEmpty();
        Optional<String> read = tx.run(c -> store.runOfTicket(c, t.id()));
        assertThat(read).contains("run-4");
        assertThat(store.rememberedRun(t.id())).contains("run-4");
    }

    @Test
    void anInboxIdIsRecordedOnceInOneStatement() {
        InboxStore inbox = new InboxStore();
        boolean first = tx.run(c -> inbox.firstDelivery(c, "m-1", now));
        boolean again = tx.run(c -> inbox.firstDelivery(c, "m-1", now));
        boolean delivered = tx.run(c -> inbox.delivered(c, "m-1"));
        boolean other = tx.run(c -> inbox.firstDelivery(c, "m-2", now));
        assertThat(first).isTrue();
        assertThat(again).as("a redelivery").isFalse();
        assertThat(delivered).isTrue();
        assertThat(other).isTrue();
    }
}
