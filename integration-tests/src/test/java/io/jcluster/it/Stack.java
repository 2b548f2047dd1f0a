package io.jcluster.it;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The server stacks of the compatibility matrix, each an unmodified sample app (integration-tests/apps/&lt;module&gt;,
 * or the samples jar for the two JDK-only ones). The table in docs/compatibility.md is checked against this list
 * ({@link CompatibilityTableTest}), so the table names exactly what the tests run.
 */
enum Stack {
    JDK_HTTP_SERVER("JDK `com.sun.net.httpserver`", "JDK", "ServerSocketChannel", null,
            port -> List.of("samples.hello.HelloServer", Integer.toString(port)),
            "hello server listening on port %d"),
    BLOCKING_SERVER_SOCKET("plain blocking `ServerSocket` accept loop", "JDK", "ServerSocket", null,
            port -> List.of("samples.blocking.BlockingServer", Integer.toString(port)),
            "blocking server listening on 0.0.0.0/0.0.0.0:%1$d \\(port %1$d\\)"),
    JETTY("Jetty", "jetty.version", "ServerSocketChannel", "jetty",
            port -> List.of(Integer.toString(port)),
            // Jetty's own startup log, and the app's getLocalPort()
            "Started oejs.ServerConnector@\\w+\\{HTTP/1.1, \\(http/1.1\\)\\}\\{0.0.0.0:%d\\}"),
    TOMCAT_NIO("Tomcat embedded, NIO connector", "tomcat.version", "ServerSocketChannel", "tomcat",
            port -> List.of(Integer.toString(port), "nio"),
            "tomcat app \\(nio\\) listening on port %d"),
    TOMCAT_NIO2("Tomcat embedded, NIO2 connector", "tomcat.version", "AsynchronousServerSocketChannel", "tomcat",
            port -> List.of(Integer.toString(port), "nio2"),
            "tomcat app \\(nio2\\) listening on port %d"),
    UNDERTOW("Undertow", "undertow.version", "XNIO, ServerSocketChannel", "undertow",
            port -> List.of(Integer.toString(port)),
            "undertow app listening on port %d"),
    NETTY_NIO("Netty, NIO transport", "app.netty.version", "ServerSocketChannel", "netty",
            port -> List.of(Integer.toString(port), "nio"),
            "netty app \\(nio, NioServerSocketChannel\\) listening on \\S*/\\S+:%d$"),
    NETTY_EPOLL("Netty, native epoll transport", "app.netty.version", "native bind (EpollServerSocketChannel)", "netty",
            port -> List.of(Integer.toString(port), "epoll"),
            "netty app \\(epoll, EpollServerSocketChannel\\) listening on \\S*/\\S+:%d$"),
    VERTX("Vert.x, JDK transport", "vertx.version", "Netty NIO, ServerSocketChannel", "vertx",
            port -> List.of(Integer.toString(port), "jdk"),
            "vert.x app \\(jdk transport\\) listening on port %d"),
    VERTX_NATIVE("Vert.x, native transport", "vertx.version", "Netty epoll, native bind", "vertx",
            port -> List.of(Integer.toString(port), "native"),
            "vert.x app \\(native transport\\) listening on port %d"),
    SPRING_BOOT("Spring Boot executable jar (`java -jar`, its own launcher)", "spring-boot.version",
            "embedded Tomcat, ServerSocketChannel", "spring-boot",
            port -> List.of("--server.port=" + port),
            "Tomcat started on port %d \\(http\\)"),
    JAVALIN("Javalin", "javalin.version", "Jetty 12, ServerSocketChannel", "javalin",
            port -> List.of(Integer.toString(port)),
            "Started oejs.ServerConnector@\\w+\\{HTTP/1.1, \\(http/1.1\\)\\}\\{0.0.0.0:%d\\}");

    final String title;
    /** The version: "JDK", or the property of integration-tests/apps/pom.xml that pins it. */
    final String versionProperty;
    final String binds;
    /** The app module under integration-tests/apps, or null for a class of the samples jar. */
    final String module;
    private final IntFunction<List<String>> arguments;
    /** A line the app logs at startup, where it reports the port it listens on (%d: the app's port). */
    final String portLine;

    Stack(String title, String versionProperty, String binds, String module, IntFunction<List<String>> arguments,
          String portLine) {
        this.title = title;
        this.versionProperty = versionProperty;
        this.binds = binds;
        this.module = module;
        this.arguments = arguments;
        this.portLine = portLine;
    }

    /** The app's jar: integration-tests/apps/&lt;module&gt;/target/app.jar. */
    Path jar() {
        return ClusterProcess.Builder.existing("jcluster.apps.dir", "apps").resolve(module).resolve("target/app.jar");
    }

    /** Launcher arguments and app arguments: {@code -jar app.jar ...} or {@code -cp samples-classes Main ...}. */
    List<String> launch(int port) {
        List<String> launch = new ArrayList<>();
        if (module == null) {
            launch.add("-cp");
            launch.add(ClusterProcess.Builder.existing("jcluster.samples.classes", "target/classes").toString());
        } else {
            launch.add("-jar");
            launch.add(jar().toString());
        }
        launch.addAll(arguments.apply(port));
        return launch;
    }

    /** Whether this stack runs on this machine at all; null when it does, else why not. */
    String unsupportedHere() {
        boolean linuxX64 = System.getProperty("os.name").equals("Linux")
                && System.getProperty("os.arch").matches("amd64|x86_64");
        if ((this == NETTY_EPOLL || this == VERTX_NATIVE) && !linuxX64) {
            return "the app bundles Netty's epoll library for linux-x86_64 only";
        }
        return null;
    }
}
