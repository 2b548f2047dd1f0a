package io.jcluster.agent.stopport;

/** A server's own way to be stopped over a local port, as the parent's log lines name it. */
enum StopConvention {
    /** {@code <Server port=... shutdown=...>}: the command alone, then the end of the stream (StandardServer#await). */
    TOMCAT("Tomcat", "Tomcat's shutdown port", "shutdown command", "catalina.sh stop"),
    /** {@code STOP.PORT}/{@code STOP.KEY}: a key line, then a command line (ShutdownService). */
    JETTY("Jetty", "Jetty's stop port", "stop command", "start.jar --stop");

    final String server;
    /** The port, as a line names it. */
    final String port;
    /** What arrives there, as a line names it. */
    final String command;
    /** The distribution's own client. */
    final String client;

    StopConvention(String server, String port, String command, String client) {
        this.server = server;
        this.port = port;
        this.command = command;
        this.client = client;
    }
}
