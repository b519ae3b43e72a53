package dev.baton.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.BatonMain;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The bench runs end to end on a tiny load, on H2 and on the embedded PostgreSQL, and prints every figure as a positive
 * finite number (the JIT's time as one at least zero: a window may see no compilation); how large they are is not
 * asserted (speed is measured, not tested), except what a raw round trip must cost by construction: one INSERT and one
 * UPDATE, each committed, writing one row each.
 */
class BenchCommandTest {
    private static final List<String> PER_UNIT = List.of("CPU per ", "SQL per ", "rows per ", "bytes per ");
    private static final Pattern NUMBER = Pattern.compile("(?<![\\w.])(\\d+(?:\\.\\d+)?|NaN|Infinity)");

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(BenchStack.Db.class)
    void theChainBenchRunsEveryRunToSuccessAndPrintsEveryFigure(BenchStack.Db db) {
        String out = bench(db, "--runs", "20", "--warmup", "5", "--stages", "2", "-c", "4");

        assertThat(out)
                .contains("20 runs x 2 stages, 4 in flight")
                .contains(db == BenchStack.Db.h2 ? ", H2 2." : ", PostgreSQL 14.")
                .contains("(20 runs in ")
                .contains(", 0 not SUCCEEDED)")
                .contains("(20 samples)  (QUEUED of one stage")
                .contains("legend");
        List<String> labels = new ArrayList<>(List.of("runs/s", "stage hops/s", "hop latency"));
        PER_UNIT.forEach(p -> labels.add(p + "hop"));
        labels.addAll(List.of("peak heap", "heap after GC", "round trips/s", "round trip"));
        PER_UNIT.forEach(p -> labels.add(p + "round trip"));
        labels.add("Baton / raw");
        labels.forEach(label -> assertPositiveFigure(out, label));
        List.of("JIT per hop", "JIT per round trip").forEach(label -> assertFigure(out, label, 0));
        // The raw loop's own statements are known: the counter must see at least them, on either database (Baton's
        // background work, e.g. its sweeps' SELECTs, runs meanwhile and is counted too).
        String sql = figureLine(out, "SQL per round trip");
        assertThat(before(sql, " INSERT")).as(sql).isGreaterThanOrEqualTo(1.0);
        assertThat(before(sql, " UPDATE")).as(sql).isGreaterThanOrEqualTo(1.0);
        assertThat(before(sql, " commits")).as(sql).isGreaterThanOrEqualTo(2.0);
        String rows = figureLine(out, "rows per round trip");
        assertThat(before(rows, " inserted")).as(rows).isGreaterThanOrEqualTo(1.0);
        assertThat(before(rows, " updated")).as(rows).isGreaterThanOrEqualTo(1.0);
        System.out.println(out);
    }

    @ParameterizedTest
    @EnumSource(BenchStack.Db.class)
    void theForEachBenchRunsOneForEachToSuccessAndPrintsEveryFigure(BenchStack.Db db) {
        String out = bench(db, "--for-each", "50", "--warmup", "10", "--max-parallel", "5");

        assertThat(out)
                .contains("one for_each of 50 items, maxParallel 5")
                .contains("(50 items in ")
                .contains("the run SUCCEEDED)")
                .contains("legend");
        Stream.concat(
                        Stream.of("items/s", "peak heap", "heap after GC"),
                        PER_UNIT.stream().map(p -> p + "item"))
                .forEach(label -> assertPositiveFigure(out, label));
        assertFigure(out, "JIT per item", 0);
        System.out.println(out);
    }

    @Test
    void aMeaninglessSizeIsRefusedWithTheOptionsName() {
        StringWriter err = new StringWriter();
        int exit = BatonMain.execute(
                new PrintWriter(new StringWriter(), true),
                new PrintWriter(err, true),
                "bench",
                "--max-parallel",
                "0",
                "--data",
                dir.resolve("bench").toString());

        assertThat(exit).isNotZero();
        assertThat(err.toString()).contains("--max-parallel must be at least 1, not 0");
    }

    @Test
    void thePipelineIsAChainOfTheRequestedLength() {
        assertThat(BenchCommand.pipeline(3))
                .contains("- {name: s1, agent: bench}\n")
                .contains("- {name: s3, agent: bench, dependsOn: [s2]}\n");
    }

    private String bench(BenchStack.Db db, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> all = new ArrayList<>(List.of(
                "bench", "--db", db.name(), "--data", dir.resolve("bench").toString()));
        all.addAll(List.of(args));
        int exit =
                BatonMain.execute(new PrintWriter(out, true), new PrintWriter(err, true), all.toArray(String[]::new));

        assertThat(exit).as(out + "\n" + err).isZero();
        return out.toString();
    }

    /** The figure (before its note in brackets) holds numbers, each positive and finite. */
    private static void assertPositiveFigure(String out, String label) {
        assertFigure(out, label, Double.MIN_VALUE);
    }

    /** The figure (before its note in brackets) holds numbers, each finite and at least {@code least}. */
    private static void assertFigure(String out, String label, double least) {
        String line = figureLine(out, label);
        String figure = line.substring(line.indexOf(label) + label.length()).split(" {2}\\(", 2)[0];
        Matcher m = NUMBER.matcher(figure);
        List<Double> numbers = new ArrayList<>();
        while (m.find()) {
            numbers.add(Double.parseDouble(m.group(1)));
        }
        assertThat(numbers)
                .as(line)
                .isNotEmpty()
                .allSatisfy(n -> assertThat(n).as(line).isFinite().isGreaterThanOrEqualTo(least));
    }

    /** The number just before {@code word} in {@code line}. */
    private static double before(String line, String word) {
        Matcher m = Pattern.compile("(\\d+(?:\\.\\d+)?)" + Pattern.quote(word)).matcher(line);
        assertThat(m.find()).as(line + " has no number before '" + word + "'").isTrue();
        return Double.parseDouble(m.group(1));
    }

    private static String figureLine(String out, String label) {
        String prefix = "  %-20s ".formatted(label);
        return out.lines()
                .filter(l -> l.startsWith(prefix))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no line '" + label + "' in:\n" + out));
    }
}
