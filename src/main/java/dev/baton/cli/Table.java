package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The client commands' one table printer: rows as left-aligned columns two spaces apart, each as wide as its widest
 * cell (or a minimum width), under a header row.
 */
final class Table {
    private final List<List<String>> rows = new ArrayList<>();
    private int[] minWidths = new int[0];

    private Table(List<String> header) {
        rows.add(header);
    }

    /** A table with this header row. */
    static Table of(String... header) {
        return new Table(List.of(header));
    }

    /** A table with this header row. */
    static Table of(List<String> header) {
        return new Table(header);
    }

    /** Columns at least this wide, in order, so that pages of the same listing line up with each other. */
    Table minWidths(int... widths) {
        this.minWidths = widths.clone();
        return this;
    }

    Table row(String... cells) {
        rows.add(Arrays.asList(cells));
        return this;
    }

    /** True when no row was added under the header. */
    boolean isEmpty() {
        return rows.size() == 1;
    }

    void print(PrintWriter out) {
        print(out, rows, minWidths);
    }

    /** A field of a JSON row as a cell: its text, or {@code -} when it is absent or null. */
    static String cell(JsonNode n, String field) {
        return n.hasNonNull(field) ? n.get(field).asText() : "-";
    }

    /** The first 8 characters of an id, enough to tell the tickets of one run apart on a line. */
    static String shortId(String id) {
        return id.length() > 8 ? id.substring(0, 8) : id;
    }

    private static void print(PrintWriter out, List<List<String>> rows, int[] minWidths) {
        int columns = rows.stream().mapToInt(List::size).max().orElse(0);
        int[] widths = new int[columns];
        for (int i = 0; i < Math.min(columns, minWidths.length); i++) widths[i] = minWidths[i];
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
