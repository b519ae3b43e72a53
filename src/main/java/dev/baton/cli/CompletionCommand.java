package dev.baton.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code baton completion}: the bash and zsh completion script picocli generates from the commands themselves. */
@Command(
        name = "completion",
        mixinStandardHelpOptions = true,
        description = {
            "Print a bash and zsh completion script for every command and option.",
            "Load it in the current shell with: source <(baton completion)   (zsh: autoload -U +X bashcompinit && "
                    + "bashcompinit first); or save it under /etc/bash_completion.d/ or ~/.local/share/bash-completion/completions/baton"
        })
public final class CompletionCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        var root = spec.root().commandLine();
        root.getOut().print(AutoComplete.bash(spec.root().name(), root));
        root.getOut().flush();
        return ExitCode.OK;
    }
}
