package dev.baton;

import java.io.StringWriter;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;

/** What one logger (and those below it) writes while the capture is open, in the given pattern. */
public final class LogCapture implements AutoCloseable {
    private final LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
    private final String logger;
    private final StringWriter out = new StringWriter();
    private final WriterAppender appender;

    public LogCapture(String logger, Level level, String pattern) {
        this.logger = logger;
        Configuration config = ctx.getConfiguration();
        appender = WriterAppender.newBuilder()
                .setName("capture-" + logger)
                .setLayout(PatternLayout.newBuilder()
                        .withConfiguration(config)
                        .withPattern(pattern)
                        .build())
                .setTarget(out)
                .build();
        appender.start();
        LoggerConfig captured = new LoggerConfig(logger, level, true);
        captured.addAppender(appender, level, null);
        config.addLogger(logger, captured);
        ctx.updateLoggers();
    }

    public String text() {
        return out.toString();
    }

    @Override
    public void close() {
        ctx.getConfiguration().removeLogger(logger);
        ctx.updateLoggers();
        appender.stop();
    }
}
