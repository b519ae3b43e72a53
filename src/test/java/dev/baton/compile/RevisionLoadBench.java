package dev.baton.compile;

import dev.baton.pipeline.AgentCatalog;
import dev.baton.pipeline.Pipeline;
import dev.baton.pipeline.load.LoadResult;
import dev.baton.pipeline.load.PipelineLoader;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * Measures how long a revision's routes take to load into a started CamelContext, for chains of the given numbers of
 * stages compiled by {@link PipelineCompiler}: {@code java ... dev.baton.compile.RevisionLoadBench 800 1600 3200}.
 * {@code -Dretire=true} also times their removal. A measurement to read, never asserted (each size in a fresh context,
 * in turn, so the run is bounded by its sizes).
 */
public final class RevisionLoadBench {
    private RevisionLoadBench() {}

    /** A chain: each stage depends on the one before it. */
    static Pipeline chain(int stages) {
        StringBuilder y = new StringBuilder("""
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: chain}
                spec:
                  pipeline:
                    stages:
                      - {name: s0, agent: a}
                """);
        for (int i = 1; i < stages; i++) {
            y.append("      - {name: s")
                    .append(i)
                    .append(", agent: a, dependsOn: [s")
                    .append(i - 1)
                    .append("]}\n");
        }
        LoadResult r = PipelineLoader.read(y.toString(), "chain.yaml", AgentCatalog.any(), stages);
        if (r.pipeline() == null) throw new IllegalStateException(r.violations().toString());
        return r.pipeline();
    }

    public static void main(String[] args) throws Exception {
        for (String arg : args) {
            int stages = Integer.parseInt(arg);
            Pipeline p = chain(stages);
            try (DefaultCamelContext camel = new DefaultCamelContext()) {
                camel.start();
                RevisionRoutes revisions = new RevisionRoutes(
                        camel, new PipelineCompiler((n, b, k) -> null, new PrintedProcessors()), Clock.systemUTC());
                long t0 = System.nanoTime();
                revisions.ensure(p);
                long ms = (System.nanoTime() - t0) / 1_000_000;
                System.out.printf("%,d stages: %,d routes loaded in %,d ms%n", stages, camel.getRoutesSize(), ms);
                if (Boolean.getBoolean("retire")) {
                    t0 = System.nanoTime();
                    revisions.retire(Set.of(), Duration.ZERO);
                    System.out.printf("  and removed in %,d ms%n", (System.nanoTime() - t0) / 1_000_000);
                }
            }
        }
    }
}
