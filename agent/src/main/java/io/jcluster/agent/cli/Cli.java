package io.jcluster.agent.cli;

import io.jcluster.agent.config.Option;
import io.jcluster.agent.log.Log;
import io.jcluster.agent.standalone.BalanceCommand;
import io.jcluster.agent.standalone.OwnJvmFlags;

import java.io.PrintStream;
import java.util.Arrays;

/**
 * {@code java -jar jcluster.jar} (the jar's Main-Class): how to use the agent, with the option table; {@code balance}
 * runs the standalone balancer; any other command is an admin command ({@link AdminCommand}).
 */
public final class Cli {

    private Cli() {
    }

    public static void main(String[] args) {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
            usage(System.out);
            return;
        }
        if (args[0].equals("balance")) {
            String[] balanceArgs = Arrays.copyOfRange(args, 1, args.length);
            OwnJvmFlags.restartIfUseful(balanceArgs, Log::info); // returns when it did not restart
            BalanceCommand.main(balanceArgs);
            return;
        }
        System.exit(AdminCommand.run(args, System.out, System.err));
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
        out.println();
        out.println("the balancer alone, in front of servers you name (no workers; see balance --help):");
        out.println("  java -jar jcluster.jar balance --listen [HOST:]PORT --backend HOST:PORT [--backend ...] [--mode http] ...");
        out.println();
        out.println("admin commands, for a cluster started with admin=host:port (default " + AdminCommand.DEFAULT_ADMIN + "):");
        out.println("  java -jar jcluster.jar status|reload|scale N|restart ID [--admin host:port] [--token T]");
        out.println("  java -jar jcluster.jar backend drain|ready|add|remove HOST:PORT [--admin host:port] [--token T]"
                + "  (balance --admin)");
        out.println("  java -jar jcluster.jar cache purge PATH [--prefix] [--admin host:port] [--token T]"
                + "  (cache=SIZE: forget the cached responses of PATH, or of every path it starts with --prefix)");
        out.println("  the token may also come from the environment variable " + AdminCommand.TOKEN_ENVIRONMENT + ".");
    }
}
