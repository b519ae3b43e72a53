package dev.baton;

import dev.baton.bench.BenchCommand;
import dev.baton.cli.AgentsCommand;
import dev.baton.cli.ApproveCommand;
import dev.baton.cli.BrokerCommand;
import dev.baton.cli.BrokerUserCommand;
import dev.baton.cli.CancelCommand;
import dev.baton.cli.ClientEnvironment;
import dev.baton.cli.ClientException;
import dev.baton.cli.CompletionCommand;
import dev.baton.cli.DeadLettersCommand;
import dev.baton.cli.DemoCommand;
import dev.baton.cli.DryRunCommand;
import dev.baton.cli.EventsCommand;
import dev.baton.cli.ExitCode;
import dev.baton.cli.ExportCommand;
import dev.baton.cli.GraphCommand;
import dev.baton.cli.HashSecretCommand;
import dev.baton.cli.HistoryCommand;
import dev.baton.cli.InitCommand;
import dev.baton.cli.OutputOption;
import dev.baton.cli.PipelinesCommand;
import dev.baton.cli.PurgeCommand;
import dev.baton.cli.RerunCommand;
import dev.baton.cli.RunCommand;
import dev.baton.cli.RunsCommand;
import dev.baton.cli.StatusCommand;
import dev.baton.cli.SubmitCommand;
import dev.baton.cli.ValidateCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code baton} command: the server ({@code run}, {@code demo}) and its clients. */
@Command(
        name = "baton",
        mixinStandardHelpOptions = true,
        version = "baton 0.1.0",
        description = "Durable orchestrator for teams of AI agents, on Apache Camel and Artemis.",
        subcommands = {
            RunCommand.class,
            BrokerCommand.class,
            DemoCommand.class,
            ValidateCommand.class,
            DryRunCommand.class,
            GraphCommand.class,
            ExportCommand.class,
            SubmitCommand.class,
            StatusCommand.class,
            RunsCommand.class,
            ApproveCommand.class,
            CancelCommand.class,
            RerunCommand.class,
            PurgeCommand.class,
            BenchCommand.class,
            AgentsCommand.class,
            BrokerUserCommand.class,
            HashSecretCommand.class,
            PipelinesCommand.class,
            HistoryCommand.class,
            EventsCommand.class,
            DeadLettersCommand.class,
            InitCommand.class,
            CompletionCommand.class,
            CommandLine.HelpCommand.class
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success; for submit/rerun --wait and status: the run SUCCEEDED (status: or is still going)",
            "1:the run FAILED, was CANCELLED or COMPENSATED, or the command failed (server error 500)",
            "2:usage error or invalid input: a pipeline that does not validate, a request refused (400, 409, 413)",
            "3:not found (404): no such run, pipeline or stage",
            "4:credentials refused (401) or role not allowed (403)",
            "5:the server could not be reached or is unavailable (502, 503, 504)",
            "6:--wait or --watch reached --timeout while the run was still going"
        })
public final class BatonMain implements ClientEnvironment {
    private final java.util.function.UnaryOperator<String> env;

    private BatonMain(java.util.function.UnaryOperator<String> env) {
        this.env = env;
    }

    @Override
    public String env(String name) {
        return env.apply(name);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    public static int execute(String... args) {
        return execute(new java.io.PrintWriter(System.out, true), new java.io.PrintWriter(System.err, true), args);
    }

    /** Runs the CLI with the given output streams (tests read them) and the process environment. */
    public static int execute(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
        return execute(System::getenv, out, err, args);
    }

    /** Runs the CLI with the given environment (BATON_SERVER, BATON_API_KEY, ...) and output streams. */
    public static int execute(
            java.util.function.UnaryOperator<String> env,
            java.io.PrintWriter out,
            java.io.PrintWriter err,
            String... args) {
        CommandLine cli = new CommandLine(new BatonMain(env));
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof ClientException ce && ce.problem() != null && jsonOutput(cmd)) {
                cmd.getOut().println(ce.problem().toPrettyString());
                cmd.getOut().flush();
            }
            cmd.getErr().println("baton: " + e.getMessage());
            return e instanceof ClientException ce ? ce.exitCode() : ExitCode.RUN_FAILED;
        });
        return cli.execute(args);
    }

    /** Whether the command that failed was asked for {@code --output json}: scripts then get the problem on stdout. */
    private static boolean jsonOutput(CommandLine cmd) {
        return cmd.getCommandSpec().mixins().values().stream()
                .anyMatch(m -> m.userObject() instanceof OutputOption o && o.json());
    }
}
