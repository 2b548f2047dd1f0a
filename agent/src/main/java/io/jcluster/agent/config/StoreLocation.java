package io.jcluster.agent.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Where the Cluster API's store is ({@code store=}): {@link #EMBEDDED} in the parent, or a Redis server.
 *
 * @param host null for the embedded store; a host name or an IP address (IPv6 without brackets)
 * @param port the Redis port; 0 for the embedded store
 * @param db   the Redis database index
 * @param tls  {@code rediss://}: TLS to Redis
 */
public record StoreLocation(String host, int port, int db, boolean tls) {

    public static final StoreLocation EMBEDDED = new StoreLocation(null, 0, 0, false);

    /** The port a Redis URI without one means (Redis's own default). */
    static final int DEFAULT_REDIS_PORT = 6379;

    /** A default Redis server has databases 0 to 15 ({@code databases 16} in redis.conf). */
    static final int MAX_DB = 15;


    public boolean embedded() {
        return host == null;
    }

    /** {@code embedded}, or {@code redis://host:port/db}: how logs and /status name it (never with a password). */
    public String uri() {
        if (embedded()) {
            return "embedded";
        }
        String shownHost = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return (tls ? "rediss" : "redis") + "://" + shownHost + ":" + port + "/" + db;
    }

    @Override
    public String toString() {
        return uri();
    }

    /**
     * {@code embedded}, or {@code redis[s]://host[:port][/db]} (Redis's URI form without credentials, query or
     * fragment). A user or password in the URI is refused without echoing the value: command lines are readable by
     * every local user, so a secret there is no secret.
     */
    static StoreLocation parse(String value) throws OptionException {
        if (value.equals("embedded")) {
            return EMBEDDED;
        }
        checkNoCredentials(value);
        int schemeEnd = value.indexOf("://");
        String scheme = schemeEnd < 0 ? "" : value.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
        if (!scheme.equals("redis") && !scheme.equals("rediss")) {
            throw OptionException.badValue(Option.STORE, value);
        }
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw OptionException.badValue(Option.STORE, value);
        }
        if (uri.getHost() == null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw OptionException.badValue(Option.STORE, value);
        }
        int port = uri.getPort() < 0 ? DEFAULT_REDIS_PORT : uri.getPort();
        if (port < 1 || port > 65535 || (uri.getPort() < 0 && uri.getRawAuthority().endsWith(":"))) {
            throw OptionException.badValue(Option.STORE, value);
        }
        String host = uri.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new StoreLocation(host, port, db(uri.getRawPath(), value), scheme.equals("rediss"));
    }

    private static int db(String path, String value) throws OptionException {
        if (path.isEmpty() || path.equals("/")) {
            return 0;
        }
        String number = path.substring(1);
        if (!number.matches("\\d{1,2}") || Integer.parseInt(number) > MAX_DB) {
            throw new OptionException("store=" + value + ": the database '" + number + "' is not a number from 0 to "
                    + MAX_DB + " (a default Redis server has 16: redis://host:port/0 .. /15)");
        }
        return Integer.parseInt(number);
    }

    /**
     * Refuses a value with credentials in it, without showing it. Any '@' counts, not only one in the authority: a
     * password may hold '/', '?', '#' or ',' (which splits the agent argument), and every other error repeats the
     * value. No host name, port or database number has an '@'.
     */
    static void checkNoCredentials(String value) throws OptionException {
        if (value.indexOf('@') >= 0) {
            throw new OptionException("store: put the password in " + StoreOptions.PASSWORD_ENVIRONMENT
                    + ", not in the URI (command lines are readable by every local user)");
        }
    }
}
