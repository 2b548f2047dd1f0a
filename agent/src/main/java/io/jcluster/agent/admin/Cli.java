package io.jcluster.agent.admin;

import io.jcluster.agent.config.Option;

import java.io.PrintStream;

/** {@code java -jar jcluster.jar}: how to use the agent, with the option table. */
public final class Cli {

    private Cli() {
    }

    public static void main(String[] args) {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
            usage(System.out);
            return;
        }
        System.err.println("jcluster: unknown command '" + args[0] + "'");
        usage(System.err);
        System.exit(2);
    }

    static void usage(PrintStream out) {
        out.println("jcluster: run one unmodified Java server as a supervised cluster of N worker JVMs behind one port.");
        out.println();
        out.println("usage: java -javaagent:jcluster.jar[=key=value,key=value...] <your usual java arguments>");
        out.println("  e.g. java -javaagent:jcluster.jar=processes=4 -jar app.jar");
        out.println();
        out.println("options (a repeated key accumulates: port=8080,port=8443):");
        for (Option option : Option.values()) {
            out.printf("  %-17s %s%n", option.key(), option.description());
            out.printf("  %-17s values: %s; default: %s%n", "", option.accepts(), option.defaultValue());
        }
        out.println();
        out.println("Workers see env JCLUSTER_WORKER_ID (0..N-1) and JCLUSTER_WORKERS, and the system properties");
        out.println("jcluster.worker.id and jcluster.workers.");
    }
}
