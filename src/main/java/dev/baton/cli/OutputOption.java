package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import picocli.CommandLine.Option;

/**
 * {@code --output text|json} of every client command: text for people, or the server's JSON answer unchanged, as one
 * document on stdout, for scripts. Errors go to stderr either way; with json the server's problem document is also
 * printed on stdout.
 */
public final class OutputOption {
    /** The formats {@code --output} accepts. */
    public enum Format {
        text,
        json
    }

    @Option(
            names = {"-o", "--output"},
            paramLabel = "FORMAT",
            defaultValue = "text",
            description = "text or json (the server's JSON, unchanged, one document) (default: ${DEFAULT-VALUE})")
    Format format = Format.text;

    public boolean json() {
        return format == Format.json;
    }

    /** With {@code --output json}, prints the document and says so; a command then has nothing more to print. */
    boolean printedJson(PrintWriter out, JsonNode document) {
        if (json()) {
            print(out, document);
        }
        return json();
    }

    /** Prints the document as pretty JSON, followed by a new line. */
    static void print(PrintWriter out, JsonNode document) {
        out.println(document.toPrettyString());
        out.flush();
    }
}
