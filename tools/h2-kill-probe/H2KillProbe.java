import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * H2 alone, without Baton: does a kill -9 leave a row locked for ever? {@code work DIR} runs Baton's pattern of
 * transactions on an H2 file (8 threads; each locks one of 3 "run" rows with SELECT ... FOR UPDATE, inserts an inbox
 * row and 3 numbered history rows and updates the run row, then commits) until it is killed. {@code check DIR} opens
 * the file alone, with one connection, and locks each run row: nobody else is there, so a lock timeout is a lock
 * the killed process left in the file. {@code init DIR} creates the tables. run.sh does it all in a loop.
 */
public class H2KillProbe {
    public static void main(String[] args) throws Exception {
        boolean work = args[0].equals("work");
        String url = "jdbc:h2:file:" + args[1] + "/db;WRITE_DELAY=0;LOCK_TIMEOUT=" + (work ? 20000 : 3000);
        switch (args[0]) {
            case "init" -> init(url);
            case "work" -> work(url);
            default -> check(url);
        }
    }

    private static void init(String url) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, "sa", "")) {
            c.createStatement().execute("CREATE TABLE IF NOT EXISTS run(id INT PRIMARY KEY, last_seq INT NOT NULL)");
            c.createStatement().execute("CREATE TABLE IF NOT EXISTS hist(run_id INT, seq INT, PRIMARY KEY(run_id, seq))");
            c.createStatement().execute("CREATE TABLE IF NOT EXISTS inbox(id VARCHAR(64) PRIMARY KEY)");
            c.createStatement().execute("MERGE INTO run KEY(id) SELECT x, COALESCE((SELECT MAX(seq) FROM hist "
                    + "WHERE run_id = x), 0) FROM SYSTEM_RANGE(1, 3)");
        }
    }

    private static void work(String url) throws Exception {
        for (int t = 0; t < 8; t++) {
            new Thread(() -> {
                try (Connection c = DriverManager.getConnection(url, "sa", "")) {
                    c.setAutoCommit(false);
                    while (true) {
                        try {
                            transition(c, 1 + ThreadLocalRandom.current().nextInt(3));
                            c.commit();
                        } catch (SQLException e) {
                            c.rollback();
                        }
                    }
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }).start();
        }
        Thread.sleep(Long.MAX_VALUE);
    }

    private static void transition(Connection c, int run) throws SQLException {
        PreparedStatement inbox = c.prepareStatement("INSERT INTO inbox VALUES (?)");
        inbox.setString(1, UUID.randomUUID().toString());
        inbox.executeUpdate();
        PreparedStatement lock = c.prepareStatement("SELECT last_seq FROM run WHERE id = ? FOR UPDATE");
        lock.setInt(1, run);
        ResultSet rs = lock.executeQuery();
        rs.next();
        int seq = rs.getInt(1);
        for (int k = 1; k <= 3; k++) {
            PreparedStatement h = c.prepareStatement("INSERT INTO hist VALUES (?, ?)");
            h.setInt(1, run);
            h.setInt(2, seq + k);
            h.executeUpdate();
        }
        PreparedStatement u = c.prepareStatement("UPDATE run SET last_seq = ? WHERE id = ?");
        u.setInt(1, seq + 3);
        u.setInt(2, run);
        u.executeUpdate();
    }

    private static void check(String url) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, "sa", "")) {
            c.setAutoCommit(false);
            for (int run = 1; run <= 3; run++) {
                PreparedStatement lock = c.prepareStatement("SELECT last_seq FROM run WHERE id = ? FOR UPDATE");
                lock.setInt(1, run);
                try (ResultSet rs = lock.executeQuery()) {
                    rs.next();
                    System.out.println("run " + run + ": locked, last_seq " + rs.getInt(1));
                } catch (SQLException e) {
                    System.out.println("run " + run + ": LOCKED BY NOBODY: " + e.getMessage().lines().findFirst().orElse(""));
                }
                c.rollback();
            }
        }
    }
}
