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
     * Null when the API runs open (with a loud warning); else the credentials of {@code security}'s file, or, when it
     * lists none, only the initial admin key kept in {@code dataDir} (made on first start).
     */
    public static Authenticator authenticator(ApiSecurity security, Path dataDir) throws IOException {
        if (security.open()) {
            LOG.warn("*****************************************************************************");
            LOG.warn("* THE REST API IS OPEN: no credentials are asked, every caller is admin.    *");
            LOG.warn("* Only for the demo on a trusted machine (baton.security.open=true).        *");
            LOG.warn("*****************************************************************************");
            return null;
        }
        SecurityConfig config = SecurityConfig.load(security.file());
        if (config.isEmpty()) {
            config = InitialAdminKey.ensure(dataDir);
            LOG.warn("{} lists no API keys or users: the API accepts only the initial admin key in {} "
                    + "(export BATON_API_KEY=$(cat {})); add credentials to {} and it stops being accepted",
                    security.file(), dataDir.resolve(InitialAdminKey.FILE), dataDir.resolve(InitialAdminKey.FILE),
                    security.file());
        } else {
            LOG.info("REST API credentials from {}: {} API key(s), {} user(s)", security.file(),
                    config.apiKeys().size(), config.users().size());
        }
        return new Authenticator(config);
    }
}
