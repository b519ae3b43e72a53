package dev.baton;

import dev.baton.bench.BenchCommand;
import dev.baton.cli.ApproveCommand;
import dev.baton.cli.HashSecretCommand;
import dev.baton.cli.BrokerCommand;
import dev.baton.cli.CancelCommand;
import dev.baton.cli.ClientException;
import dev.baton.cli.DemoCommand;
import dev.baton.cli.DryRunCommand;
import dev.baton.cli.GraphCommand;
import dev.baton.cli.RerunCommand;
import dev.baton.cli.RunCommand;
import dev.baton.cli.StatusCommand;
import dev.baton.cli.SubmitCommand;
import dev.baton.cli.ValidateCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code baton} command: the server ({@code run}, {@code demo}) and its clients. */
@Command(name = "baton", mixinStandardHelpOptions = true, version = "baton 0.1.0",
        description = "Durable orchestrator for teams of AI agents, on Apache Camel and Artemis.",
        subcommands = {RunCommand.class, BrokerCommand.class, DemoCommand.class, ValidateCommand.class, DryRunCommand.class,
                GraphCommand.class, SubmitCommand.class, StatusCommand.class, ApproveCommand.class, CancelCommand.class,
                RerunCommand.class, BenchCommand.class, HashSecretCommand.class,
                CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success (for submit --wait and status: the run SUCCEEDED)",
                "1:the run FAILED, or the command could not do its work",
                "2:invalid input: usage, a pipeline that does not validate, a request the server refused (4xx)",
                "3:the server could not be reached"})
public final class BatonMain {
    private BatonMain() {}

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    public static int execute(String... args) {
        return execute(new java.io.PrintWriter(System.out, true), new java.io.PrintWriter(System.err, true), args);
    }

    /** Runs the CLI with the given output streams (tests read them). */
    public static int execute(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(BatonMain.class);
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("baton: " + e.getMessage());
            return e instanceof ClientException ce ? ce.exitCode() : 1;
        });
        return cli.execute(args);
    }
}
