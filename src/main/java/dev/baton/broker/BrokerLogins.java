package dev.baton.broker;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.AppConfigurationEntry.LoginModuleControlFlag;
import org.apache.activemq.artemis.core.config.impl.SecurityConfiguration;
import org.apache.activemq.artemis.spi.core.security.ActiveMQJAASSecurityManager;
import org.apache.activemq.artemis.spi.core.security.jaas.InVMLoginModule;
import org.apache.activemq.artemis.spi.core.security.jaas.PropertiesLoginModule;

/**
 * Who may log in to the embedded broker: Baton's own user, held in memory only (its password never touches a file),
 * and the users of {@code config/broker-users.properties} (hashed {@code ENC(...)} passwords) with their roles from
 * {@code config/broker-roles.properties}, both re-read when they change, so {@code baton broker-user} needs no
 * restart.
 */
final class BrokerLogins extends SecurityConfiguration {
    private final Path usersFile;
    private final Path rolesFile;

    private BrokerLogins(Path usersFile, Path rolesFile) {
        this.usersFile = usersFile.toAbsolutePath().normalize();
        this.rolesFile = rolesFile.toAbsolutePath().normalize();
    }

    /** A JAAS security manager for the broker, with Baton's user in memory and the users of the two files. */
    static ActiveMQJAASSecurityManager securityManager(BrokerAccess access) {
        BrokerLogins logins = new BrokerLogins(access.usersFile(), access.rolesFile());
        logins.addUser(access.batonUser(), access.batonPassword());
        logins.addRole(access.batonUser(), BrokerAccess.BATON_ROLE);
        return new ActiveMQJAASSecurityManager("baton", logins);
    }

    @Override
    public AppConfigurationEntry[] getAppConfigurationEntry(String name) {
        List<AppConfigurationEntry> entries = new ArrayList<>();
        entries.add(new AppConfigurationEntry(
                InVMLoginModule.class.getName(),
                LoginModuleControlFlag.SUFFICIENT,
                Map.of(InVMLoginModule.CONFIG_PROP_NAME, this)));
        // Without the files only Baton's own user can log in (a missing file would be reported on every login).
        if (Files.isRegularFile(usersFile) && Files.isRegularFile(rolesFile)) {
            entries.add(new AppConfigurationEntry(
                    PropertiesLoginModule.class.getName(),
                    LoginModuleControlFlag.SUFFICIENT,
                    Map.of(
                            "baseDir",
                            "/",
                            PropertiesLoginModule.USER_FILE_PROP_NAME,
                            usersFile.toString(),
                            PropertiesLoginModule.ROLE_FILE_PROP_NAME,
                            rolesFile.toString(),
                            "reload",
                            "true")));
        }
        return entries.toArray(AppConfigurationEntry[]::new);
    }
}
