package dev.baton.api.auth;

import dev.baton.config.BatonSettings.ApiSecurity;
import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Decides at start-up who may call the REST API, and says so in the log. */
public final class SecurityBootstrap {
    private static final Logger LOG = LoggerFactory.getLogger(SecurityBootstrap.class);

    private SecurityBootstrap() {}

    /**
     * Null when the API runs open (with a loud warning); else {@code security}'s file, kept in force as it changes
     * (or, while it lists no one, only the initial admin key kept in {@code dataDir}, made on first start).
     */
    public static LiveSecurity live(ApiSecurity security, Path dataDir) throws IOException {
        if (security.open()) {
            LOG.warn("*****************************************************************************");
            LOG.warn("* THE REST API IS OPEN: no credentials are asked, every caller is admin.    *");
            LOG.warn("* Only for the demo on a trusted machine (baton.security.open=true).        *");
            LOG.warn("*****************************************************************************");
            return null;
        }
        return new LiveSecurity(security.file(), dataDir);
    }
}
