package dev.baton.bench;

import java.io.PrintWriter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * {@code baton bench --for-each N}: one run of a pipeline whose one stage is a for_each over N items answered by
 * zero-delay demo agents, after a warm-up run of the same kind; prints items/s, CPU, SQL and bytes per item and heap.
 */
final class ForEachBench {
    static final String PIPELINE = "bench-each";

    private final int items;
    private final int maxParallel;
    private final int warmupItems;

    ForEachBench(int items, int maxParallel, int warmupItems) {
        this.items = items;
        this.maxParallel = maxParallel;
        this.warmupItems = warmupItems;
    }

    String pipeline() {
        return """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: %s}
                spec:
                  params:
                    items: {required: true}
                  pipeline:
                    stages:
                      - name: each
                        dynamic: {generator: for_each, input: "$.params.items", maxParallel: %d, template: {agent: bench}}
                """.formatted(PIPELINE, maxParallel);
    }

    /** Returns the exit code: 0 when both runs SUCCEEDED. */
    int run(BenchStack stack, PrintWriter out) throws Exception {
        out.printf(
                "Baton bench: one for_each of %d items, maxParallel %d; embedded broker (broker/broker.xml), %s; "
                        + "%d cores, Java %s%n",
                items,
                maxParallel,
                stack.database,
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));
        out.flush();
        if (warmupItems > 0 && !oneRun(stack, warmupItems)) {
            out.println("the warm-up run did not SUCCEED");
            return 1;
        }
        Window window = Window.open(stack);
        boolean ok = oneRun(stack, items);
        Window.Measured m = window.close();
        BenchFigures figures = new BenchFigures(out);
        figures.line(
                "items/s",
                "%.0f".formatted(items / m.seconds()),
                "%d items in %.2f s, the run %s".formatted(items, m.seconds(), ok ? "SUCCEEDED" : "did not SUCCEED"));
        figures.perUnit("item", m, items, stack);
        figures.heap(m);
        figures.legend(true);
        return ok ? 0 : 1;
    }

    /** Starts one run over {@code n} items and waits for its end, at most 10 minutes; true when it SUCCEEDED. */
    private static boolean oneRun(BenchStack stack, int n) throws Exception {
        String params = IntStream.range(0, n)
                .mapToObj(Integer::toString)
                .collect(Collectors.joining(",", "{\"items\": [", "]}"));
        String id = stack.server
                .runs()
                .start(PIPELINE, params, null)
                .run()
                .path("id")
                .asText();
        CompletableFuture<Boolean> ended = new CompletableFuture<>();
        stack.waiter.onEnd(id, ended::complete);
        try {
            return ended.get(10, TimeUnit.MINUTES);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("the for_each run " + id + " did not end within 10 minutes", e);
        }
    }
}
