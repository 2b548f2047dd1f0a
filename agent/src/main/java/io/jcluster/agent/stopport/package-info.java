/**
 * A server distribution's own stop command, taken by the parent: where the app's server would listen for it (Tomcat's
 * {@code <Server port=... shutdown=...>}, Jetty's {@code STOP.PORT}, which each worker binds privately instead), the
 * parent listens, and the right command (Jetty: key and command) stops the whole cluster as SIGTERM does. Every
 * connection is a local stranger's: bounded reads, a deadline, a cap on connections.
 */
package io.jcluster.agent.stopport;
