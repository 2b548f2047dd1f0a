package io.jcluster.agent.config;

/**
 * Every agent option, with what it accepts and its default: the one table that the usage text and
 * docs/options.md mirror. Values are parsed and checked by {@link OptionParser}.
 */
public enum Option {
    PROCESSES("processes", "a positive integer or 'auto'", "auto",
            "How many worker JVMs to run. auto = the processors this JVM may use (container limits included); each worker gets its share of processors and memory unless you chose."),
    MAX_PROCESSES("max-processes", "a positive integer", "4 x the processors, at least 8",
            "The most workers the cluster may run: processes= at launch and the admin endpoint's scale are refused"
                    + " above it (a guard against a mistyped or hostile scale forking JVMs without limit)."),
    STRATEGY("strategy", "round-robin, least-connections, random or power-of-two", "least-connections",
            "How a new connection (http mode: a new request) picks its worker (see Strategy)."),
    PORT("port", "a port number from 1 to 65535 (repeat the key for several)", "every fixed port the app binds",
            "Which of the app's ports to cluster; binds of other ports stay as they are in every worker."),
    SHUTDOWN_TIMEOUT("shutdown-timeout", "a duration like 30s or 500ms", "30s",
            "On SIGTERM/SIGINT: how long open connections may take to finish, and the workers to exit, in all."),
    LOG("log", "prefix or inherit", "prefix",
            "prefix: the parent relays each worker output line as '[w<id>] line'; inherit: workers write directly."),
    RESTART_DELAY("restart-delay", "a duration like 1s or 500ms", "1s",
            "Delay before restarting a crashed worker; doubles on each crash in a row, up to 30s; a worker that ran"
                    + " 30s or more starts the doubling afresh."),
    MAX_RESTARTS("max-restarts", "a non-negative integer", "10",
            "Crash restarts in a row of one worker slot whose processes each ran less than 30s (a crash loop); the"
                    + " next crash gives the slot up and the parent says so (exit status 1 once every slot is)."),
    CONFIG("config", "the path of a properties file with the same keys", "none",
            "Read options from a file; options given in the agent argument win over the file."),
    MODE("mode", "tcp, http or grpc", "tcp",
            "tcp: relay each connection's bytes to one worker. http: an HTTP/1.1 reverse proxy that balances each"
                    + " request, adds X-Forwarded-* headers, and offers TLS, sticky sessions and error pages. grpc:"
                    + " HTTP/2 clients (h2c, or h2 with tls-cert), each call balanced on its own and relayed over"
                    + " pooled HTTP/2 connections to the workers (the app serves gRPC on its port), with deadlines."),
    TLS_CERT("tls-cert", "the path of a PEM file: the certificate, then its chain", "none",
            "mode=http or grpc: terminate TLS (1.2 and 1.3) in the parent with this certificate; needs tls-key."),
    TLS_KEY("tls-key", "the path of a PEM file with an unencrypted PKCS#8 private key", "none",
            "The private key of tls-cert (BEGIN PRIVATE KEY; convert others with openssl pkcs8 -topk8 -nocrypt)."),
    TLS_PROVIDER("tls-provider", "auto, openssl or jdk", "auto",
            "With tls-cert: who does the TLS work. openssl = BoringSSL through Netty's tcnative (bundled for Linux"
                    + " x86_64 and aarch64; on JDK 24+ it needs --enable-native-access=ALL-UNNAMED); jdk = the JDK's"
                    + " own. auto = openssl where it loads and the key is RSA or EC, else jdk (the startup line"
                    + " says which, and why not openssl); openssl that cannot be used stops the launch."),
    STICKY("sticky", "off, cookie, or the name of the app's session cookie (e.g. JSESSIONID)", "off",
            "mode=http: cookie = the parent sets a JCLUSTER cookie naming the worker; a cookie name = requests with"
                    + " that session cookie go to the worker that issued it."),
    TRUSTED_PROXIES("trusted-proxies", "IPv4/IPv6 addresses and CIDR ranges, comma-separated (e.g."
            + " 10.0.0.0/8,192.168.1.5,fd00::/8)", "none",
            "mode=http or grpc: connections from these peers are proxies of yours: their X-Forwarded-For and"
                    + " Forwarded are kept and appended to, their X-Forwarded-Proto/-Host/-Port, X-Real-IP and the"
                    + " like kept. From every other peer all such headers are removed and replaced by what the parent"
                    + " knows."),
    MAX_CONNECTIONS("max-connections", "a positive integer, or 0 for no limit", "0",
            "Per listener: at most this many client connections are served at once; more wait in a queue."),
    MAX_QUEUE("max-queue", "a non-negative integer", "1000",
            "With max-connections: how many more connections may wait; past that they are turned away at once."),
    QUEUE_TIMEOUT("queue-timeout", "a duration like 5s or 500ms", "5s",
            "With max-connections: how long a connection may wait; then http mode answers 503 with Retry-After,"
                    + " tcp mode closes it."),
    HEADER_TIMEOUT("header-timeout", "a duration like 10s or 500ms", "10s",
            "mode=http: a request's headers must arrive within this time of its first byte, else 408 and close"
                    + " (slowloris)."),
    IDLE_TIMEOUT("idle-timeout", "a duration like 60s or 5m", "60s",
            "mode=http: a keep-alive client connection with no request for this long is closed."),
    TCP_IDLE_TIMEOUT("tcp-idle-timeout", "a duration like 5m or 30s, or off", "off",
            "mode=tcp: a connection with no byte in either direction for this long is closed, both sides (checked"
                    + " every quarter of it, so it closes within 1.25 times the timeout)."),
    RESPONSE_TIMEOUT("response-timeout", "a duration like 60s or 5m", "60s",
            "mode=http: a worker must start its response within this time of the end of the request, else 504."),
    BODY_TIMEOUT("body-timeout", "a duration like 60s or 5m", "60s",
            "mode=http: while a request body is coming, at most this long without a byte of it; then 408 (or, once"
                    + " the response has begun, a close), and the worker's connection is closed, not reused."),
    SEND_TIMEOUT("send-timeout", "a duration like 60s or 5m", "60s",
            "mode=http: while a response is being relayed, at most this long with the client taking none of it"
                    + " (a full TCP window, or an HTTP/2 stream without flow-control window); then the client"
                    + " connection (HTTP/2: that stream) and the worker's connection are closed (nginx's send_timeout)."
                    + " mode=grpc: the same for a call; then its stream is reset (CANCEL), and its worker stream too."),
    H2C_UPGRADE("h2c-upgrade", "refuse or pass", "refuse",
            "mode=http: refuse = a request asking to upgrade to h2c goes on as a plain HTTP/1.1 request without its"
                    + " Upgrade and HTTP2-Settings; pass = the worker may switch the connection to HTTP/2, which"
                    + " then bypasses per-request balancing and header rewriting."),
    HTTP2("http2", "on or off", "on with tls-cert, off on a plain listener",
            "mode=http: HTTP/2 to clients. With tls-cert ALPN offers h2 and http/1.1; on a plain listener 'on' also"
                    + " accepts h2c with prior knowledge (a connection that starts with the HTTP/2 preface). Each"
                    + " stream is one request, balanced and forwarded to the workers over HTTP/1.1."),
    MAX_CONCURRENT_STREAMS("max-concurrent-streams", "a positive integer", "100",
            "mode=http with HTTP/2: streams one client connection may have open at once; more are refused"
                    + " (RST_STREAM REFUSED_STREAM, which clients retry)."),
    ADMIN("admin", "host:port, or a port alone for 127.0.0.1:port", "off",
            "Where the admin endpoint listens (GET /status, GET /metrics, POST /reload, /scale, /restart)."
                    + " A non-loopback host needs a token (admin-token-file, JCLUSTER_ADMIN_TOKEN or admin-token)."),
    ADMIN_TOKEN("admin-token", "a secret without commas or spaces", "none",
            "When set, every admin request must carry 'Authorization: Bearer <token>' (the CLI's --token)."
                    + " It shows in the process list; admin-token-file or env JCLUSTER_ADMIN_TOKEN do not."),
    ADMIN_TOKEN_FILE("admin-token-file", "the path of a file holding the token (one line)", "none",
            "Read the admin token from this file, once at start (surrounding whitespace trimmed); keep it mode 600."),
    HEALTH("health", "tcp, or an HTTP path starting with / (e.g. /health)", "tcp",
            "How a worker is probed: tcp = a connect to each of its private ports; /path = an HTTP GET on its"
                    + " first port that must answer 2xx or 3xx."),
    HEALTH_INTERVAL("health-interval", "a duration like 5s or 500ms", "5s",
            "How often each ready worker is probed. A probe times out after half of it; after a failure the next"
                    + " probe follows at half the interval."),
    HEALTH_THRESHOLD("health-threshold", "a positive integer", "3",
            "Failed probes in a row after which a worker is taken out of rotation, its thread dump logged,"
                    + " and it is replaced."),
    MAX_MEMORY("max-memory", "a size like 512m or 2g (bytes, k, m, g)", "off",
            "A worker whose resident memory stays above this (3 reports in a row, 1s apart) is replaced,"
                    + " one worker at a time, its replacement ready before it leaves rotation."),
    READY_TIMEOUT("ready-timeout", "a duration like 60s", "60s",
            "How long a new worker (reload, scale, restart, replacement) may take to bind every clustered port and pass"
                    + " a probe; past that a reload stops and the old worker keeps serving."),
    TRANSPORT("transport", "auto, io_uring, epoll or nio", "auto",
            "The balancer's socket implementation. auto = io_uring where the kernel allows it, else epoll, else NIO"
                    + " (the startup line says which, and why not a faster one); a named one that is not available"
                    + " here stops the launch."),
    BALANCER("balancer", "proxy or kernel", "proxy",
            "proxy: the parent listens on the app's port and balances over the workers' private ports. kernel (Linux):"
                    + " no proxy; every worker binds the app's port itself with SO_REUSEPORT and the kernel spreads"
                    + " new connections over them (no strategies, http mode, TLS, sticky or max-connections)."),
    PROXY_PROTOCOL("proxy-protocol", "v1 or v2", "off",
            "Standalone balancer only: start each backend connection with a PROXY protocol header (HAProxy's"
                    + " send-proxy; v1 text, v2 binary) naming the client's address and port, for backends that"
                    + " read it. In http mode a backend connection then carries the requests of one client"
                    + " connection only."),
    STORE("store", "embedded, redis://host:port[/db] or rediss://host:port[/db] (db 0 to 15)", "embedded",
            "Where the Cluster API keeps its shared maps, messages and leadership lease: embedded = in the parent"
                    + " (one host); redis/rediss = in Redis (TLS with rediss), shared by several hosts. A password"
                    + " comes from env JCLUSTER_STORE_PASSWORD only (the workers do not get it), never from the URI."),
    STORE_SIZE("store-size", "a size like 64m or 1g (bytes, k, m, g)", "64m",
            "store=embedded: the most bytes the shared maps may hold in the parent (keys, values and a per-entry"
                    + " overhead); past it the least recently and frequently used entries are evicted."),
    STORE_TIMEOUT("store-timeout", "a duration like 5s or 500ms", "5s",
            "How long a shared map call may wait for the store's answer; then the app's call throws"
                    + " ClusterException."),
    MAX_MESSAGE("max-message", "a size from 1 to 8m, like 256k (bytes, k, m)", "256k",
            "The largest message or shared map value, in bytes; a larger one is refused with"
                    + " IllegalArgumentException in the worker that sends it."),
    SESSIONS("sessions", "off or shared", "off",
            "shared: the servlet sessions of Tomcat, Jetty and Undertow live in the store (store=), not in one"
                    + " worker's memory, so a session is found on every worker and survives crashes, reloads and"
                    + " scaling; saved when each request completes (see docs/sessions.md)."),
    CACHE("cache", "a size like 64m (bytes, k, m, g), or off", "off",
            "mode=http: keep cacheable GET/HEAD responses (RFC 9111, shared cache) in the parent, at most this many"
                    + " bytes, and answer from them without asking a worker; concurrent misses of one URL make one"
                    + " request (see docs/cache.md)."),
    CACHE_MAX_OBJECT("cache-max-object", "a size like 1m (bytes, k, m, g), at most cache=", "1m",
            "With cache: a response whose body is larger is passed on but not stored."),
    CACHE_STATUS_HEADER("cache-status-header", "on or off", "on",
            "With cache: on = each response says X-Cache: HIT, MISS, STALE, REVALIDATED or BYPASS."),
    // service managers (systemd, scripts): the pid file
    PID_FILE("pid-file", "the path of a file, in a directory not writable by every user (or with the sticky bit)",
            "none",
            "Write the parent's pid there at start (atomically) and remove it at exit; for scripts and service"
                    + " managers that signal the parent (kill -HUP $(cat FILE))."),
    // recycling: workers replaced after so much work or time (issue 17, room recycle)
    MAX_REQUESTS("max-requests", "a non-negative integer (0 = off)", "0",
            "A worker is replaced after the parent passed it this many requests (mode=http) or connections"
                    + " (mode=tcp), its replacement ready first, one worker at a time (Gunicorn's max-requests)."),
    MAX_REQUESTS_JITTER("max-requests-jitter", "a non-negative integer", "0",
            "With max-requests: each worker's limit is raised by a random 0 to this, so that workers started"
                    + " together are not due together."),
    MAX_AGE("max-age", "a duration like 1h or 30m, or off", "off",
            "A worker that has served this long is replaced, its replacement ready first, one worker at a time."),
    // logs: timestamps, JSON lines, the http access log
    LOG_TIME("log-time", "iso8601, off or auto", "auto",
            "iso8601: each parent line starts with its UTC time (2026-11-30T19:03:46.123Z); auto = iso8601 when"
                    + " stderr is not a terminal (a file, a pipe, journald), off in a terminal."),
    LOG_FORMAT("log-format", "text or json", "text",
            "json: every parent line and every relayed worker line is one JSON object (time, source, worker, pid,"
                    + " stream, message), and so is the access log; needs log=prefix."),
    ACCESS_LOG("access-log", "a file path, stdout, or off", "off",
            "mode=http: one line per request (combined format, or JSON with log-format=json) with the worker that"
                    + " answered, status, bytes and duration, written off the event loops; SIGUSR1 reopens the file"
                    + " (logrotate). mode=grpc: one line per call, with its grpc-status and request bytes too."),
    EVENT_LOOPS("event-loops", "auto or a positive integer", "auto",
            "The balancer's event-loop threads. auto = one per two processors the JVM sees (the agent's parent"
                    + " shares the machine with its workers; the kernel's TCP work is most of a relay's cost); the"
                    + " standalone balancer on a machine of its own can take one per processor.");

    private final String key;
    private final String accepts;
    private final String defaultValue;
    private final String description;

    Option(String key, String accepts, String defaultValue, String description) {
        this.key = key;
        this.accepts = accepts;
        this.defaultValue = defaultValue;
        this.description = description;
    }

    public String key() {
        return key;
    }

    public String accepts() {
        return accepts;
    }

    public String defaultValue() {
        return defaultValue;
    }

    public String description() {
        return description;
    }

    static Option byKey(String key) {
        for (Option option : values()) {
            if (option.key.equals(key)) {
                return option;
            }
        }
        return null;
    }

    static String knownKeys() {
        StringBuilder keys = new StringBuilder();
        for (Option option : values()) {
            keys.append(keys.length() == 0 ? "" : ", ").append(option.key);
        }
        return keys.toString();
    }
}
