package dev.baton.bench;

import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.DeliveryMode;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/**
 * The physical limit Baton is measured against, on the same broker and database: C clients each doing persistent
 * JMS request/reply round trips (transacted on both sides, as Baton's consumers are), with one ticket-row insert
 * before and one update after each, each its own committed transaction.
 */
final class RawLoop {
    static final String REQUESTS = "bench.raw.requests";

    record Result(long roundTrips, double seconds, Latencies latency) {
        double perSecond() {
            return roundTrips / seconds;
        }
    }

    private RawLoop() {}

    /** Creates the raw loop's table, or empties it; apart from {@link #run} so that its statements are not counted. */
    static void prepare(DataSource db) throws Exception {
        try (var c = db.getConnection();
                Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS bench_raw (id VARCHAR(36) PRIMARY KEY, status VARCHAR(20) NOT NULL,"
                    + " input TEXT, output TEXT, created_at TIMESTAMP NOT NULL, updated_at TIMESTAMP NOT NULL)");
            st.execute("DELETE FROM bench_raw");
            c.commit();
        }
    }

    static Result run(ConnectionFactory cf, DataSource db, int concurrency, long roundTrips) throws Exception {
        Latencies latency = new Latencies();
        AtomicLong left = new AtomicLong(roundTrips);
        try (Connection jms = cf.createConnection()) {
            jms.start();
            List<Session> responders = new ArrayList<>();
            for (int i = 0; i < Math.max(2, concurrency / 4); i++) {
                Session s = jms.createSession(true, Session.SESSION_TRANSACTED);
                MessageProducer replies = s.createProducer(null);
                replies.setDeliveryMode(DeliveryMode.PERSISTENT);
                s.createConsumer(s.createQueue(REQUESTS)).setMessageListener(m -> respond(s, replies, m));
                responders.add(s);
            }
            List<Thread> clients = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int i = 0; i < concurrency; i++) {
                Thread t = new Thread(() -> client(jms, db, left, latency), "bench-raw-" + i);
                t.start();
                clients.add(t);
            }
            for (Thread t : clients) {
                t.join();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            for (Session s : responders) {
                s.close();
            }
            return new Result(roundTrips, seconds, latency);
        }
    }

    private static void respond(Session s, MessageProducer replies, Message m) {
        try {
            TextMessage reply = s.createTextMessage("{\"output\": \"ok\"}");
            reply.setJMSCorrelationID(m.getJMSCorrelationID());
            replies.send(m.getJMSReplyTo(), reply);
            s.commit();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void client(Connection jms, DataSource db, AtomicLong left, Latencies latency) {
        try (Session s = jms.createSession(true, Session.SESSION_TRANSACTED)) {
            Queue mine = s.createQueue("bench.raw.replies." + UUID.randomUUID());
            MessageProducer requests = s.createProducer(s.createQueue(REQUESTS));
            requests.setDeliveryMode(DeliveryMode.PERSISTENT);
            MessageConsumer replies = s.createConsumer(mine);
            while (left.getAndDecrement() > 0) {
                long t0 = System.nanoTime();
                String id = UUID.randomUUID().toString();
                sql(
                        db,
                        "INSERT INTO bench_raw (id, status, input, created_at, updated_at) VALUES (?, 'QUEUED', "
                                + "'{}', ?, ?)",
                        id,
                        true);
                TextMessage request = s.createTextMessage("{\"ticketId\": \"" + id + "\"}");
                request.setJMSReplyTo(mine);
                request.setJMSCorrelationID(id);
                requests.send(request);
                s.commit();
                Message reply = replies.receive(30_000);
                if (reply == null) {
                    throw new IllegalStateException("no reply within 30 s");
                }
                sql(
                        db,
                        "UPDATE bench_raw SET status = 'SUCCEEDED', output = '{}', updated_at = ? WHERE id = ?",
                        id,
                        false);
                s.commit();
                latency.add(System.nanoTime() - t0);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sql(DataSource db, String sql, String id, boolean insert) throws Exception {
        try (var c = db.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                Timestamp now = Timestamp.from(Instant.now());
                if (insert) {
                    ps.setString(1, id);
                    ps.setTimestamp(2, now);
                    ps.setTimestamp(3, now);
                } else {
                    ps.setTimestamp(1, now);
                    ps.setString(2, id);
                }
                ps.executeUpdate();
            }
            c.commit();
        }
    }
}
