package dev.baton.cli;

import java.io.PrintWriter;
import java.util.List;

/** Prints rows as left-aligned columns two spaces apart, each as wide as its widest cell; the first row is the header. */
final class Table {
    private Table() {}

    static void print(PrintWriter out, List<List<String>> rows) {
        int columns = rows.stream().mapToInt(List::size).max().orElse(0);
        int[] widths = new int[columns];
        rows.forEach(r -> {
            for (int i = 0; i < r.size(); i++)
                widths[i] = Math.max(widths[i], r.get(i).length());
        });
        for (List<String> r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.size(); i++) {
                line.append(i == r.size() - 1 ? r.get(i) : String.format("%-" + (widths[i] + 2) + "s", r.get(i)));
            }
            out.println(line.toString().stripTrailing());
        }
    }
}
