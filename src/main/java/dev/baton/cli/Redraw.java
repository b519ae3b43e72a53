package dev.baton.cli;

import java.io.PrintWriter;

/**
 * Draws successive blocks of lines: on a terminal in place (ANSI: back to the first line of the previous block, clear
 * to the end of the screen), elsewhere (a pipe, a log file) as plain blocks, each only when it says something new.
 */
final class Redraw {
    private static final String ESC = "\u001b[";

    private final PrintWriter out;
    private final boolean ansi;
    private int previousLines;
    private String previousState;

    Redraw(PrintWriter out, boolean ansi) {
        this.out = out;
        this.ansi = ansi;
    }

    /** Whether stdout is a terminal that understands ANSI escapes. */
    static boolean terminal(ClientEnvironment env) {
        return System.console() != null && !"dumb".equals(env.env("TERM"));
    }

    void draw(ProgressView.Block block) {
        if (ansi) {
            if (previousLines > 0) {
                out.print(ESC + previousLines + "F" + ESC + "J");
            }
            block.lines().forEach(out::println);
            previousLines = block.lines().size();
        } else if (!block.state().equals(previousState)) {
            if (previousState != null) {
                out.println();
            }
            block.lines().forEach(out::println);
        }
        previousState = block.state();
        out.flush();
    }
}
