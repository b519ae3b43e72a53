package dev.baton.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.BatonMain;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bench runs end to end on a tiny load and prints every figure; its numbers are not asserted (speed is measured, not tested). */
class BenchCommandTest {
    @TempDir
    Path dir;

    @Test
    void benchRunsEveryRunToSuccessAndPrintsEachFigure() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = BatonMain.execute(
                new PrintWriter(out, true),
                new PrintWriter(err, true),
                "bench",
                "--runs",
                "40",
                "--warmup",
                "5",
                "--stages",
                "2",
                "-c",
                "4",
                "--data",
                dir.resolve("bench").toString());

        assertThat(exit).as(err.toString()).isZero();
        assertThat(out.toString())
                .contains("40 runs x 2 stages, 4 in flight")
                .contains("(40 runs in ")
                .contains(", 0 not SUCCEEDED)")
                .contains("stage hops/s")
                .contains("(40 samples)  (QUEUED of one stage")
                .contains("CPU per hop")
                .contains("peak heap")
                .contains("round trips/s")
                .contains("round trip      p50")
                .contains("Baton / raw");
    }

    @Test
    void thePipelineIsAChainOfTheRequestedLength() {
        assertThat(BenchCommand.pipeline(3))
                .contains("- {name: s1, agent: bench}\n")
                .contains("- {name: s3, agent: bench, dependsOn: [s2]}\n");
    }
}
