package apps.vertx;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServerRequest;

/**
 * A plain Vert.x 5 HTTP server: {@code java -jar app.jar PORT [jdk|native]}. With "native" Vert.x runs on Netty's
 * epoll transport. GET / answers with this process's pid (also in X-Pid); GET /slow?ms=N answers after N ms.
 */
public final class VertxApp {

    private VertxApp() {
    }

    public static void main(String[] args) {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
        boolean preferNative = args.length > 1 && args[1].equals("native");
        long pid = ProcessHandle.current().pid();
        Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(preferNative));
        if (preferNative && !vertx.isNativeTransportEnabled()) {
            System.err.println("vert.x: native transport unavailable: " + vertx.unavailableNativeTransportCause());
            System.exit(1);
        }
        vertx.createHttpServer()
                .requestHandler(request -> handle(vertx, request, pid))
                .listen(port, "0.0.0.0")
                .onSuccess(server -> System.out.println("vert.x app (" + (vertx.isNativeTransportEnabled() ? "native"
                        : "jdk") + " transport) listening on port " + server.actualPort()))
                .onFailure(failure -> {
                    failure.printStackTrace();
                    System.exit(1);
                });
    }

    private static void handle(Vertx vertx, HttpServerRequest request, long pid) {
        request.response().putHeader("X-Pid", Long.toString(pid)).putHeader("Content-Type", "text/plain; charset=utf-8");
        if (request.path().equals("/slow")) {
            String ms = request.getParam("ms");
            vertx.setTimer(Long.parseLong(ms == null ? "1000" : ms),
                    timer -> request.response().end("slow done by pid " + pid + "\n"));
        } else {
            request.response().end("vert.x pid " + pid + "\n");
        }
    }
}
