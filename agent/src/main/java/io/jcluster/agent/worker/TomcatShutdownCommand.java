package io.jcluster.agent.worker;

import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import java.util.List;
import java.util.Optional;

/**
 * The shutdown command of the Tomcat server whose StandardServer#await is binding {@code port}, read from the MBean
 * Tomcat registers for it ({@code <domain>:type=Server}, attributes {@code portWithOffset} and {@code shutdown}),
 * so that no Tomcat class is touched or transformed. Only MBean servers that exist already are searched (Tomcat
 * registered its own before await runs): asking for the platform one would create it in an app that has none.
 */
final class TomcatShutdownCommand {

    private TomcatShutdownCommand() {
    }

    /** Empty when no registered Tomcat server waits on {@code port} (its MBean registry is off, say). */
    static Optional<String> of(int port) {
        List<MBeanServer> servers = MBeanServerFactory.findMBeanServer(null);
        for (MBeanServer server : servers) {
            Optional<String> command = of(server, port);
            if (command.isPresent()) {
                return command;
            }
        }
        return Optional.empty();
    }

    static Optional<String> of(MBeanServer server, int port) {
        try {
            for (ObjectName name : server.queryNames(new ObjectName("*:type=Server"), null)) {
                if (port(server, name) == port && server.getAttribute(name, "shutdown") instanceof String command) {
                    return Optional.of(command);
                }
            }
        } catch (Exception | LinkageError e) {
            // not Tomcat's MBean after all, or one that fails: no command learned
        }
        return Optional.empty();
    }

    /** {@code portWithOffset} (Tomcat 9.0.14 on: the port await binds), else {@code port}; -1 when neither. */
    private static int port(MBeanServer server, ObjectName name) {
        for (String attribute : new String[] {"portWithOffset", "port"}) {
            try {
                if (server.getAttribute(name, attribute) instanceof Integer port) {
                    return port;
                }
            } catch (Exception e) {
                // try the next
            }
        }
        return -1;
    }
}
