package dev.baton.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.baton.ticket.Rows.Outgoing;
import dev.baton.ticket.Tx;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Group commit of replies on a real database: replies that arrive while a lane applies a batch are applied together in
 * the next transaction, which may commit while the batch before it is relayed (the relays keep the order of the
 * commits, and a reply of the batch being relayed is not applied again); a poison reply rolls its batch back and is
 * then failed alone while the others commit; a relay that fails, even with an Error, fails every reply of its batch
 * and leaves none waiting; and a lane that is busy holds up no other lane.
 */
class ReplyLanesTest {
    HikariDataSource db;
    Tx tx;
    DefaultCamelContext camel;
    ExecutorService consumers = Executors.newFixedThreadPool(8);
    /** Transactions that applied replies, each as the bodies it applied. */
    final List<List<String>> transactions = new CopyOnWriteArrayList<>();

    final List<List<Outgoing>> relayed = new CopyOnWriteArrayList<>();
    volatile CountDownLatch gate = new CountDownLatch(0);
    volatile RuntimeException relayFailure;
    /** Every relay counts this down and {@link #relays} up, then waits at {@link #relayGate}. */
    final CountDownLatch relayEntered = new CountDownLatch(1);

    final java.util.concurrent.atomic.AtomicInteger relays = new java.util.concurrent.atomic.AtomicInteger();
    volatile CountDownLatch relayGate = new CountDownLatch(0);
    /** A relay whose batch emitted this body waits at {@link #heldGate}. */
    volatile String heldBody;

    volatile CountDownLatch heldGate = new CountDownLatch(0);
    /** Thrown by the relay of a batch that emitted this body, as an Error. */
    volatile String errorBody;

    @BeforeEach
    void start() {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:h2:mem:lanes" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
        config.setAutoCommit(false);
        db = new HikariDataSource(config);
        tx = new Tx(db);
        tx.run(c -> c.createStatement().execute("CREATE TABLE applied (body VARCHAR(40) PRIMARY KEY, tx INT)"));
        camel = new DefaultCamelContext();
    }

    @AfterEach
    void stop() throws Exception {
        consumers.shutdownNow();
        camel.close();
        db.close();
    }

    /** Counted down when a reply starts being applied, before it waits at the gate. */
    volatile CountDownLatch entered = new CountDownLatch(1);
    /** The replies applied so far in the transaction this thread runs. */
    private final ThreadLocal<List<String>> openBatch = new ThreadLocal<>();

    /** Applies a reply: a row with its body (a body starting "poison" fails), once the gate is open. */
    private List<Outgoing> apply(Exchange reply) {
        String body = reply.getMessage().getBody(String.class);
        CountDownLatch waitFor = gate; // read before saying so: a test may then swap the gate
        entered.countDown();
        List<String> batch = openBatch.get();
        if (batch == null) {
            List<String> opened = new ArrayList<>();
            openBatch.set(opened);
            Tx.afterCommit(() -> {
                transactions.add(List.copyOf(opened));
                openBatch.remove();
            });
            batch = opened;
        }
        try {
            assertThat(waitFor.await(30, TimeUnit.SECONDS)).isTrue();
            if (body.startsWith("poison")) {
                throw new PoisonMessageException("cannot apply " + body);
            }
            try (var ps = Tx.current().prepareStatement("INSERT INTO applied (body) VALUES (?)")) {
                ps.setString(1, body);
                ps.executeUpdate();
            }
        } catch (SQLException | InterruptedException | RuntimeException e) {
            openBatch.remove(); // the transaction rolls back
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
        }
        batch.add(body);
        return List.of(new Outgoing("out-" + body, "queue:x", body, null, null, 4, 0, 0));
    }

    private ReplyLanes lanes(int n) {
        return new ReplyLanes(n, tx, this::apply, out -> {
            if (relayFailure != null) {
                throw relayFailure;
            }
            relays.incrementAndGet();
            relayEntered.countDown();
            try {
                assertThat(relayGate.await(30, TimeUnit.SECONDS)).isTrue();
                if (out.stream().anyMatch(o -> o.body().equals(heldBody))) {
                    assertThat(heldGate.await(30, TimeUnit.SECONDS)).isTrue();
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            if (out.stream().anyMatch(o -> o.body().equals(errorBody))) {
                throw new OutOfMemoryError("test: no heap left to relay " + errorBody);
            }
            relayed.add(out);
        });
    }

    private CompletableFuture<Void> reply(ReplyLanes lanes, String body, String run) {
        return CompletableFuture.runAsync(
                () -> {
                    Exchange ex = new DefaultExchange(camel);
                    ex.getMessage().setBody(body);
                    lanes.apply(ex, run);
                },
                consumers);
    }

    private List<String> appliedRows() {
        return tx.run(c -> {
            List<String> rows = new ArrayList<>();
            try (var rs = c.createStatement().executeQuery("SELECT body FROM applied ORDER BY body")) {
                while (rs.next()) {
                    rows.add(rs.getString(1));
                }
            }
            return rows;
        });
    }

    @Test
    void repliesThatArriveWhileABatchIsAppliedAreAppliedTogether() throws Exception {
        ReplyLanes lanes = lanes(1);
        gate = new CountDownLatch(1);
        CompletableFuture<Void> first = reply(lanes, "r0", "run-a");
        assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
        List<CompletableFuture<Void>> more = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            more.add(reply(lanes, "r" + i, "run-" + i));
        }
        Awaitility.await().until(() -> lanes.waiting() == 5); // behind the first batch, which the closed gate holds
        assertThat(first).isNotDone();
        gate.countDown();
        CompletableFuture.allOf(more.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        first.get(30, TimeUnit.SECONDS);

        assertThat(appliedRows()).containsExactly("r0", "r1", "r2", "r3", "r4", "r5");
        assertThat(transactions).hasSize(2);
        assertThat(transactions.get(0)).containsExactly("r0");
        assertThat(transactions.get(1)).containsExactlyInAnyOrder("r1", "r2", "r3", "r4", "r5");
        assertThat(relayed).hasSize(2);
        assertThat(relayed.get(1)).hasSize(5);
        assertThat(lanes.repliesPerBatch()).isEqualTo(3.0);
    }

    @Test
    void aPoisonReplyIsFailedAloneAndTheOthersOfItsBatchCommit() throws Exception {
        ReplyLanes lanes = lanes(1);
        gate = new CountDownLatch(1);
        CompletableFuture<Void> first = reply(lanes, "r0", "run-a");
        assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Void> good1 = reply(lanes, "r1", "run-b");
        CompletableFuture<Void> poison = reply(lanes, "poison-2", "run-c");
        CompletableFuture<Void> good3 = reply(lanes, "r3", "run-d");
        Awaitility.await().until(() -> lanes.waiting() == 3);
        gate.countDown();
        first.get(30, TimeUnit.SECONDS);
        good1.get(30, TimeUnit.SECONDS);
        good3.get(30, TimeUnit.SECONDS);
        assertThatThrownBy(() -> poison.get(30, TimeUnit.SECONDS))
                .hasCauseInstanceOf(PoisonMessageException.class)
                .hasMessageContaining("cannot apply poison-2");
        assertThat(appliedRows()).containsExactly("r0", "r1", "r3");
        // every reply that committed was relayed, each exactly once
        assertThat(relayed.stream().flatMap(List::stream).map(Outgoing::body).sorted())
                .containsExactly("r0", "r1", "r3");
    }

    @Test
    void theNextBatchCommitsWhileABatchIsRelayedAndTheRelaysKeepTheOrderOfTheCommits() throws Exception {
        ReplyLanes lanes = lanes(1);
        CountDownLatch held = new CountDownLatch(1);
        relayGate = held;
        CompletableFuture<Void> first = reply(lanes, "r0", "run-a");
        assertThat(relayEntered.await(30, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Void> second = reply(lanes, "r1", "run-a");
        // r0's relay is held: r1's transaction runs and commits meanwhile, in the same lane
        Awaitility.await().until(() -> transactions.size() == 2);
        assertThat(transactions).containsExactly(List.of("r0"), List.of("r1"));
        // and r1's relay does not begin before r0's has ended
        Awaitility.await()
                .during(java.time.Duration.ofMillis(300))
                .atMost(java.time.Duration.ofSeconds(5))
                .until(() -> relays.get() == 1);
        // neither is acknowledged before its own messages are relayed, and r1's wait for r0's
        assertThat(first).isNotDone();
        assertThat(second).isNotDone();
        assertThat(relayed).isEmpty();
        held.countDown();
        first.get(30, TimeUnit.SECONDS);
        second.get(30, TimeUnit.SECONDS);
        assertThat(relayed.stream().map(out -> out.get(0).body())).containsExactly("r0", "r1");
    }

    /**
     * r0 applied alone, its transaction held at the gate, while r1 and r2 of the same run wait behind it (they make the
     * second batch once {@link #gate} opens): the futures of r0, r1 and r2.
     */
    private List<CompletableFuture<Void>> twoBehindTheFirst(ReplyLanes lanes) throws InterruptedException {
        gate = new CountDownLatch(1);
        CompletableFuture<Void> first = reply(lanes, "r0", "run-a");
        assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Void> a = reply(lanes, "r1", "run-a");
        CompletableFuture<Void> b = reply(lanes, "r2", "run-a");
        Awaitility.await().until(() -> lanes.waiting() == 2);
        return List.of(first, a, b);
    }

    @Test
    void aReplyInABatchBeingRelayedIsNotAppliedAgainByItsOwnConsumer() throws Exception {
        List<CompletableFuture<Void>> replies = twoBehindTheFirst(lanes(1));
        CompletableFuture<Void> a = replies.get(1);
        CompletableFuture<Void> b = replies.get(2);
        // r1 and r2 make the second batch, led by one of their consumers; its relay is held after its commit, when
        // the lane is free again: the other consumer, woken, must wait for its batch, not lead it again
        heldBody = "r2";
        heldGate = new CountDownLatch(1);
        gate.countDown();
        replies.get(0).get(30, TimeUnit.SECONDS);
        Awaitility.await().until(() -> transactions.size() == 2);
        Awaitility.await()
                .during(java.time.Duration.ofMillis(300))
                .atMost(java.time.Duration.ofSeconds(5))
                .until(() -> transactions.size() == 2 && !a.isDone() && !b.isDone());
        heldGate.countDown();
        a.get(30, TimeUnit.SECONDS);
        b.get(30, TimeUnit.SECONDS);
        assertThat(transactions).hasSize(2);
        assertThat(transactions.get(1)).containsExactlyInAnyOrder("r1", "r2");
        // each relayed once, the second batch after the first
        assertThat(relayed).hasSize(2);
        assertThat(relayed.get(1).stream().map(Outgoing::body)).containsExactlyInAnyOrder("r1", "r2");
    }

    @Test
    void anErrorInARelayFailsEveryReplyOfItsBatchAndLeavesNoneWaiting() throws Exception {
        ReplyLanes lanes = lanes(1);
        List<CompletableFuture<Void>> replies = twoBehindTheFirst(lanes);
        errorBody = "r2";
        gate.countDown();
        replies.get(0).get(30, TimeUnit.SECONDS);
        for (CompletableFuture<Void> f : replies.subList(1, 3)) {
            assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS))
                    .hasRootCauseInstanceOf(OutOfMemoryError.class)
                    .hasMessageContaining("no heap left to relay r2");
        }
        // committed all the same: their redeliveries are skipped by the inbox, the outbox sweep sends what they emitted
        assertThat(appliedRows()).containsExactly("r0", "r1", "r2");
        // and the lane goes on
        errorBody = null;
        reply(lanes, "r3", "run-a").get(30, TimeUnit.SECONDS);
        assertThat(appliedRows()).contains("r3");
    }

    @Test
    void aRelayThatFailsFailsEveryReplyOfItsBatch() {
        ReplyLanes lanes = lanes(1);
        relayFailure = new IllegalStateException("broker gone");
        CompletableFuture<Void> one = reply(lanes, "r0", "run-a");
        assertThatThrownBy(() -> one.get(30, TimeUnit.SECONDS)).hasMessageContaining("broker gone");
        // committed all the same: its redelivery is skipped by the inbox and the outbox sweep sends what it emitted
        assertThat(appliedRows()).containsExactly("r0");
    }

    @Test
    void aBusyLaneHoldsUpNoOtherLane() throws Exception {
        ReplyLanes lanes = lanes(64);
        String busyRun = "run-busy";
        String otherRun = otherLane(busyRun, 64);
        gate = new CountDownLatch(1);
        CompletableFuture<Void> busy = reply(lanes, "busy", busyRun);
        assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
        // the busy lane waits at the closed gate; the other lane's reply finds a new, open one
        CountDownLatch held = gate;
        gate = new CountDownLatch(0);
        CompletableFuture<Void> other = reply(lanes, "other", otherRun);
        other.get(30, TimeUnit.SECONDS);
        assertThat(busy).isNotDone();
        held.countDown();
        busy.get(30, TimeUnit.SECONDS);
        assertThat(appliedRows()).containsExactly("busy", "other");
    }

    /** A run id whose lane differs from {@code run}'s. */
    private static String otherLane(String run, int lanes) {
        for (int i = 0; ; i++) {
            String other = "run-" + i;
            if (Math.floorMod(other.hashCode(), lanes) != Math.floorMod(run.hashCode(), lanes)) {
                return other;
            }
        }
    }

    @Test
    void aRunsRepliesAreAppliedOneBatchAtATime() throws Exception {
        ReplyLanes lanes = lanes(64);
        gate = new CountDownLatch(1);
        List<CompletableFuture<Void>> all = new ArrayList<>();
        all.add(reply(lanes, "same-00", "one-run"));
        assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
        for (int i = 1; i < 8; i++) {
            all.add(reply(lanes, "same-0" + i, "one-run"));
        }
        Awaitility.await().until(() -> lanes.waiting() == 7);
        gate.countDown();
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        assertThat(appliedRows()).hasSize(8);
        // 64 lanes, one run: its replies shared one lane, the first alone, the seven behind it in one batch
        assertThat(transactions).hasSize(2);
        assertThat(transactions.get(1)).hasSize(7);
    }
}
