package io.jcluster.agent.cli;

import io.jcluster.agent.config.AdminToken;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code java -jar jcluster.jar status | reload | scale N | restart ID [--admin host:port] [--token T]}: talks to a
 * running cluster's admin endpoint (started with {@code admin=...}); {@code backend drain|ready|add|remove HOST:PORT}
 * to the standalone balancer's ({@code balance --admin ...}); {@code cache purge PATH [--prefix]} to either.
 * Exit status: 0 done, 1 failed or unreachable,
 * 2 bad usage.
 */
final class AdminCommand {

    static final String DEFAULT_ADMIN = "127.0.0.1:9090";
    static final String TOKEN_ENVIRONMENT = AdminToken.ENVIRONMENT;
    static final List<String> BACKEND_ACTIONS = List.of("drain", "ready", "add", "remove");
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration ANSWER_TIMEOUT = Duration.ofMinutes(30);

    private AdminCommand() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        String command = args[0];
        List<String> positional = new ArrayList<>();
        String admin = DEFAULT_ADMIN;
        String token = System.getenv(TOKEN_ENVIRONMENT);
        boolean prefix = false;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--prefix" -> prefix = true;
                case "--admin", "--token" -> {
                    if (i + 1 >= args.length) {
                        err.println("jcluster: " + args[i] + " needs a value");
                        return 2;
                    }
                    if (args[i].equals("--admin")) {
                        admin = args[++i];
                    } else {
                        token = args[++i];
                    }
                }
                default -> positional.add(args[i]);
            }
        }
        String method = "POST";
        String path;
        switch (command) {
            case "status" -> {
                if (!positional.isEmpty()) {
                    return usageError(err, "status takes no argument");
                }
                method = "GET";
                path = "/status?format=table";
            }
            case "reload" -> {
                if (!positional.isEmpty()) {
                    return usageError(err, "reload takes no argument");
                }
                path = "/reload";
            }
            case "scale" -> {
                if (positional.size() != 1 || !positional.get(0).matches("[1-9][0-9]{0,5}")) {
                    return usageError(err, "scale needs the number of processes: scale N (N >= 1)");
                }
                path = "/scale?processes=" + positional.get(0);
            }
            case "restart" -> {
                if (positional.size() != 1 || !positional.get(0).matches("[0-9]{1,6}")) {
                    return usageError(err, "restart needs a worker id: restart ID (0, 1, ...)");
                }
                path = "/restart?worker=" + positional.get(0);
            }
            case "backend" -> {
                // the standalone balancer's (balance --admin ...): HAProxy's runtime API habits
                if (positional.size() != 2 || !BACKEND_ACTIONS.contains(positional.get(0))) {
                    return usageError(err, "backend needs an action and a backend: backend drain|ready|add|remove"
                            + " HOST:PORT");
                }
                path = "/backend/" + positional.get(0) + "?address="
                        + URLEncoder.encode(positional.get(1), StandardCharsets.UTF_8);
            }
            case "cache" -> {
                // the agent's admin endpoint and the standalone balancer's both answer POST /cache/purge
                if (positional.size() != 2 || !positional.get(0).equals("purge")
                        || !positional.get(1).startsWith("/")) {
                    return usageError(err, "cache needs purge and a path as clients send it: cache purge /PATH"
                            + " [--prefix]");
                }
                path = "/cache/purge?" + (prefix ? "prefix=" : "path=")
                        + URLEncoder.encode(positional.get(1), StandardCharsets.UTF_8);
            }
            default -> {
                err.println("jcluster: unknown command '" + command + "'");
                Cli.usage(err);
                return 2;
            }
        }
        if (prefix && !command.equals("cache")) {
            return usageError(err, "--prefix belongs to cache purge");
        }
        if (!admin.matches("[^\\s/]+:[0-9]{1,5}")) {
            return usageError(err, "--admin " + admin + ": expected host:port");
        }
        Response response;
        try {
            response = send(method, URI.create("http://" + admin + path).toURL(), token);
        } catch (ConnectException | SocketTimeoutException e) {
            String why = e.getMessage() == null || e.getMessage().isEmpty()
                    || e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("refused")
                    ? (e instanceof ConnectException ? "connection refused" : "connect timed out") : e.getMessage();
            err.println("jcluster: cannot reach the admin endpoint at " + admin + " (" + why
                    + "); is the cluster running with admin=" + admin + "? (--admin host:port names another)");
            return 1;
        } catch (IOException | IllegalArgumentException e) {
            err.println("jcluster: the admin endpoint at " + admin + " failed: " + describe(e));
            return 1;
        }
        if (response.statusCode() == 401) {
            err.println("jcluster: the admin endpoint at " + admin + " wants its admin-token: pass --token T or set "
                    + TOKEN_ENVIRONMENT + (token == null ? "" : " (the token given was refused)"));
            return 1;
        }
        if (response.statusCode() == 202) {
            // in effect but not finished (a drain with connections still open): a script must not go on as if done
            err.print("jcluster: " + response.body());
            return 1;
        }
        if (response.statusCode() / 100 != 2) {
            err.print("jcluster: " + command + " failed (HTTP " + response.statusCode() + "): " + response.body());
            return 1;
        }
        out.print(response.body());
        return 0;
    }

    private record Response(int statusCode, String body) {
    }

    /**
     * One request. HttpURLConnection, not java.net.http: with the agent in JAVA_TOOL_OPTIONS this jar is on the boot
     * class path, whose classes see java.base but not the java.net.http module.
     */
    private static Response send(String method, URL url, String token) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) url.openConnection();
        try {
            connection.setRequestMethod(method);
            connection.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
            connection.setReadTimeout((int) ANSWER_TIMEOUT.toMillis()); // a reload of many workers takes a while
            connection.setUseCaches(false);
            if (token != null && !token.isEmpty()) {
                connection.setRequestProperty("Authorization", "Bearer " + token);
            }
            if (method.equals("POST")) {
                connection.setDoOutput(true);
                connection.setFixedLengthStreamingMode(0);
                connection.getOutputStream().close();
            }
            int status = connection.getResponseCode();
            InputStream body = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
            return new Response(status, body == null ? "" : new String(body.readAllBytes(), StandardCharsets.UTF_8));
        } finally {
            connection.disconnect();
        }
    }

    private static String describe(Exception e) {
        String message = e.getMessage();
        return message == null || message.isEmpty() ? e.getClass().getSimpleName() : message;
    }

    private static int usageError(PrintStream err, String message) {
        err.println("jcluster: " + message);
        err.println("usage: java -jar jcluster.jar status|reload|scale N|restart ID [--admin host:port] [--token T]");
        err.println("       java -jar jcluster.jar backend drain|ready|add|remove HOST:PORT [--admin host:port] [--token T]");
        err.println("       java -jar jcluster.jar cache purge PATH [--prefix] [--admin host:port] [--token T]");
        return 2;
    }
}
