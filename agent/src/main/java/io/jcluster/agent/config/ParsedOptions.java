package io.jcluster.agent.config;

import java.util.OptionalInt;

/**
 * The options as written, every value checked for its form and against the others, before the machine has been
 * asked anything. What depends on the machine is still open and {@link OptionChecks} settles it: the worker counts
 * ({@code written}'s supervisor holds 0 for both), the admin address (unresolved in {@code written}) and the TLS
 * files (null in {@code written}).
 *
 * @param processes    empty for processes=auto
 * @param maxProcesses empty when not given: the default depends on the processors
 * @param adminValue   admin= as written; null when the endpoint is off
 * @param tlsCert      tls-cert= as written; null when not given
 * @param tlsKey       tls-key= as written; null when not given
 */
record ParsedOptions(Options written, OptionalInt processes, OptionalInt maxProcesses, String adminValue,
                     String tlsCert, String tlsKey) {
}
