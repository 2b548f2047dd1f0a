package io.jcluster.agent.config;

import java.nio.file.Path;

/**
 * What the parent tells the service manager that runs it, beyond systemd's notifications (which need no option: the
 * parent speaks them when systemd sets {@code NOTIFY_SOCKET}).
 *
 * @param pidFile {@code pid-file=}: where the parent writes its pid; null when not given
 */
public record ServiceOptions(Path pidFile) {
}
