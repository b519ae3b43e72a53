package dev.baton;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * Where the threads of this JVM (tests and the servers they start) wait, when a request got no answer: the whole
 * dump to stderr, and Baton's own threads in short to {@code target/hang-reports.txt}, which {@code .ci/run} prints
 * last when the build fails, so that a hang seen once on CI says where it was.
 */
final class HangReport {
    private static final Path FILE = Path.of("target", "hang-reports.txt");
    private static final int TOP_FRAMES = 6;

    private HangReport() {}

    static void write(String what) {
        StringBuilder all = new StringBuilder();
        StringBuilder ours = new StringBuilder(Instant.now() + " " + what + "\n");
        for (ThreadInfo t : ManagementFactory.getThreadMXBean().dumpAllThreads(true, true)) {
            String head = "\"" + t.getThreadName() + "\" " + t.getThreadState()
                    + (t.getLockName() == null ? "" : " on " + t.getLockName())
                    + (t.getLockOwnerName() == null ? "" : " held by \"" + t.getLockOwnerName() + "\"") + "\n";
            all.append(head);
            StackTraceElement[] stack = t.getStackTrace();
            for (StackTraceElement f : stack) all.append("\tat ").append(f).append('\n');
            int firstOurs = firstOurs(stack);
            if (firstOurs < 0 || t.getThreadId() == Thread.currentThread().getId()) {
                continue;
            }
            ours.append(head);
            for (int i = 0; i < Math.min(TOP_FRAMES, stack.length); i++)
                ours.append("\tat ").append(stack[i]).append('\n');
            if (firstOurs >= TOP_FRAMES)
                ours.append("\t... at ").append(stack[firstOurs]).append('\n');
        }
        System.err.println(what + "; threads of this JVM:\n" + all);
        try {
            Files.createDirectories(FILE.getParent());
            Files.writeString(FILE, ours, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.err.println("could not write " + FILE + ": " + e);
        }
    }

    private static int firstOurs(StackTraceElement[] stack) {
        for (int i = 0; i < stack.length; i++) {
            if (stack[i].getClassName().startsWith("dev.baton.")) {
                return i;
            }
        }
        return -1;
    }
}
