package apps.javalin;

import io.javalin.Javalin;

/**
 * A plain Javalin 7 server (on Jetty 12): {@code java -jar app.jar PORT}. GET / answers with this process's pid (also in X-Pid);
 * GET /slow?ms=N answers after N ms; GET /session-count answers {@code count=N worker=W} (N: the session's counter
 * after this request, kept with ctx.sessionAttribute; W: this worker's jcluster.worker.id).
 */
public final class JavalinApp {

    private JavalinApp() {
    }

    public static void main(String[] args) {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
        String pid = Long.toString(ProcessHandle.current().pid());
        Javalin app = Javalin.create(config -> {
            config.routes.get("/", ctx -> ctx.header("X-Pid", pid).result("javalin pid " + pid + "\n"));
            config.routes.get("/slow", ctx -> {
                String ms = ctx.queryParam("ms");
                Thread.sleep(Long.parseLong(ms == null ? "1000" : ms));
                ctx.header("X-Pid", pid).result("slow done by pid " + pid + "\n");
            });
            config.routes.get("/session-count", ctx -> {
                Integer count = ctx.sessionAttribute("count");
                count = count == null ? 1 : count + 1;
                ctx.sessionAttribute("count", count);
                ctx.result("count=" + count + " worker=" + System.getProperty("jcluster.worker.id", "none") + "\n");
            });
        }).start("0.0.0.0", port);
        System.out.println("javalin app listening on port " + app.port());
    }
}
