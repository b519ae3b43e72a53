package dev.baton;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a Baton process's runs were waiting on when a crash test gave up on them: the API's view while the process
 * still runs, then (stopped) its database — runs, stages, the tickets not yet ended and their last history, outbox,
 * agent instances — and the warnings of every start's log. Appended to {@code target/hang-reports.txt}, which
 * {@code .ci/run} prints when the build fails, so that a run stuck once on CI says where it stood.
 */
final class ProcessDiagnosis {
    private static final Path FILE = Path.of("target", "hang-reports.txt");
    private static final int ROWS = 25;
    private static final int LOG_LINES = 40;
    /** Ticket states that are neither ended nor not yet dispatched: what a stuck run waits on. */
    private static final String OPEN = "('QUEUED', 'RUNNING', 'WAITING_DEPS', 'WAITING_APPROVAL')";

    private final StringBuilder out = new StringBuilder();

    private ProcessDiagnosis() {}

    /** Writes the diagnosis (stopping the process to read its database) and returns it. */
    static String of(BatonProcess baton, List<String> runIds, String what) throws Exception {
        ProcessDiagnosis d = new ProcessDiagnosis();
        d.out.append("=== ").append(Instant.now()).append(' ').append(what).append('\n');
        d.api(baton, runIds);
        baton.terminate();
        d.database(baton);
        d.logs(baton);
        try {
            Files.createDirectories(FILE.getParent());
            Files.writeString(FILE, d.out, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            d.out.append("could not write ").append(FILE).append(": ").append(e).append('\n');
        }
        System.out.println(d.out);
        return d.out.toString();
    }

    private void api(BatonProcess baton, List<String> runIds) {
        out.append("process alive: ").append(baton.alive()).append('\n');
        try {
            out.append("health: ").append(baton.get("/api/health")).append('\n');
            out.append("agents: ").append(baton.get("/api/agents")).append('\n');
            for (String id : runIds) {
                var run = baton.get("/api/runs/" + id);
                out.append("run ")
                        .append(id)
                        .append(' ')
                        .append(run.path("status").asText());
                for (var stage : run.path("stages")) {
                    out.append(" | ")
                            .append(stage.path("name").asText())
                            .append(' ')
                            .append(stage.path("status").asText())
                            .append(' ')
                            .append(stage.path("items"));
                }
                out.append('\n');
            }
        } catch (Exception e) {
            out.append("API did not answer: ").append(e).append('\n');
        }
    }

    private void database(BatonProcess baton) {
        try (Connection c = baton.connect()) {
            query(c, "SELECT status, COUNT(*) n FROM run GROUP BY status");
            // a transition writes its history rows and the run's last_seq together: a gap says one was lost
            query(
                    c,
                    "SELECT r.id, r.status, r.last_seq, (SELECT MAX(seq) FROM ticket_history h WHERE h.run_id = r.id) "
                            + "max_seq FROM run r WHERE r.status NOT IN ('SUCCEEDED', 'FAILED', 'COMPENSATED', 'CANCELLED')");
            query(
                    c,
                    "SELECT run_id, name, status, items_total, items_next, items_done FROM run_stage "
                            + "WHERE status <> 'SUCCEEDED'");
            query(c, "SELECT status, COUNT(*) n FROM ticket GROUP BY status");
            query(
                    c,
                    "SELECT id, run_id, stage, item, attempt, status, lease_until, updated_at FROM ticket "
                            + "WHERE status IN " + OPEN + " ORDER BY updated_at");
            query(
                    c,
                    "SELECT h.ticket_id, h.seq, h.attempt, h.status, h.actor, h.detail, h.at FROM ticket_history h "
                            + "WHERE h.ticket_id IN (SELECT id FROM ticket WHERE status IN " + OPEN
                            + " ORDER BY updated_at "
                            + "FETCH FIRST 5 ROWS ONLY) ORDER BY h.ticket_id, h.seq");
            query(
                    c,
                    "SELECT h.ticket_id, h.attempt, h.agent, h.instance, h.at FROM ticket_holder h "
                            + "JOIN ticket t ON t.id = h.ticket_id WHERE t.status IN " + OPEN);
            query(c, "SELECT COUNT(*) outbox_rows, MIN(created_at) oldest FROM outbox");
            query(c, "SELECT agent, instance, status, first_seen, last_heartbeat, down_at FROM agent_instance");
        } catch (Exception e) {
            out.append("database could not be read: ").append(e).append('\n');
        }
    }

    private void query(Connection c, String sql) {
        out.append("> ").append(sql).append('\n');
        try (var st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            ResultSetMetaData md = rs.getMetaData();
            int n = 0;
            while (rs.next()) {
                if (++n > ROWS) {
                    out.append("  ...\n");
                    break;
                }
                out.append(" ");
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    out.append(' ')
                            .append(md.getColumnLabel(i).toLowerCase())
                            .append('=')
                            .append(rs.getString(i));
                }
                out.append('\n');
            }
        } catch (SQLException e) {
            out.append("  failed: ").append(e.getMessage()).append('\n');
        }
    }

    /** Warnings and errors of each start, without the broker's duplicate-message notices (expected after a kill). */
    private void logs(BatonProcess baton) throws IOException {
        for (int n = 1; n <= baton.starts(); n++) {
            Path log = baton.logFile(n);
            if (!Files.exists(log)) continue;
            List<String> lines;
            try (Stream<String> all = Files.lines(log)) {
                lines = all.filter(l -> (l.contains(" WARN ")
                                        || l.contains(" ERROR ")
                                        || l.contains("Exception")
                                        || l.contains("Baton is up"))
                                && !l.contains("AMQ222059"))
                        .toList();
            }
            out.append("--- ")
                    .append(log)
                    .append(": ")
                    .append(lines.size())
                    .append(" warning line(s), last ")
                    .append(Math.min(LOG_LINES, lines.size()))
                    .append('\n');
            for (String l : lines.subList(Math.max(0, lines.size() - LOG_LINES), lines.size())) {
                out.append(l, 0, Math.min(l.length(), 400)).append('\n');
            }
        }
    }
}
