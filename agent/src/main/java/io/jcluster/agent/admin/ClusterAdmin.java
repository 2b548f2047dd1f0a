package io.jcluster.agent.admin;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.util.concurrent.CompletableFuture;
import java.util.function.IntSupplier;

import static io.jcluster.agent.admin.AdminEndpoints.done;
import static io.jcluster.agent.admin.AdminEndpoints.parameter;

/** The agent's endpoints (listed on {@link AdminServer}), behind the access rules and limits it enforces. */
final class ClusterAdmin implements AdminEndpoints {

    static final String ENDPOINTS = "GET /status, GET /metrics, GET /ready, GET /live, POST /reload,"
            + " POST /scale?processes=N, POST /restart?worker=ID, POST /cache/purge?path=/x";

    private final ClusterOperations cluster;
    /** max-processes as it is at each request (a SIGHUP may change it). */
    private final IntSupplier maxProcesses;

    ClusterAdmin(ClusterOperations cluster, IntSupplier maxProcesses) {
        this.cluster = cluster;
        this.maxProcesses = maxProcesses;
    }

    @Override
    public CompletableFuture<AdminAnswer> answer(HttpMethod method, QueryStringDecoder query) {
        String path = query.path();
        HttpMethod expected = switch (path) {
            case "/status", "/metrics", "/ready", "/live" -> HttpMethod.GET;
            case "/reload", "/scale", "/restart", "/cache/purge" -> HttpMethod.POST;
            default -> null;
        };
        if (expected == null) {
            return done(AdminAnswer.text(HttpResponseStatus.NOT_FOUND,
                    "no such endpoint: " + path + " (" + ENDPOINTS + ")\n"));
        }
        if (!method.equals(expected)) {
            return done(AdminAnswer.wrongMethod(expected, path));
        }
        return switch (path) {
            case "/status" -> done(status(query));
            case "/metrics" -> done(new AdminAnswer(HttpResponseStatus.OK, MetricsText.CONTENT_TYPE,
                    MetricsText.render(cluster.status()), null));
            case "/ready" -> {
                ClusterOperations.Readiness readiness = cluster.readiness();
                yield done(AdminAnswer.text(readiness.ready() ? HttpResponseStatus.OK
                        : HttpResponseStatus.SERVICE_UNAVAILABLE, readiness.message() + "\n"));
            }
            case "/live" -> done(AdminAnswer.text(HttpResponseStatus.OK, "live\n"));
            case "/reload" -> answerWhenDone(cluster.reload());
            case "/scale" -> scale(query);
            case "/restart" -> restart(query);
            default -> done(CachePurgeRequest.answer(query, cluster::purgeCache,
                    "jcluster in http mode with cache=SIZE (e.g. cache=64m)"));
        };
    }

    private AdminAnswer status(QueryStringDecoder query) {
        ClusterStatus status = cluster.status();
        return "table".equals(parameter(query, "format"))
                ? AdminAnswer.text(HttpResponseStatus.OK, StatusReport.table(status))
                : new AdminAnswer(HttpResponseStatus.OK, "application/json", StatusReport.json(status), null);
    }

    private CompletableFuture<AdminAnswer> scale(QueryStringDecoder query) {
        Integer processes = number(parameter(query, "processes"));
        if (processes == null || processes < 1) {
            return done(AdminAnswer.text(HttpResponseStatus.BAD_REQUEST,
                    "expected /scale?processes=N with N a positive integer\n"));
        }
        int most = maxProcesses.getAsInt();
        if (processes > most) {
            return done(AdminAnswer.text(HttpResponseStatus.BAD_REQUEST, "processes=" + processes
                    + ": more than max-processes=" + most + ", the most workers this cluster may run; start it"
                    + " with a higher max-processes to run more\n"));
        }
        return answerWhenDone(cluster.scale(processes));
    }

    private CompletableFuture<AdminAnswer> restart(QueryStringDecoder query) {
        Integer worker = number(parameter(query, "worker"));
        if (worker == null || worker < 0) {
            return done(AdminAnswer.text(HttpResponseStatus.BAD_REQUEST,
                    "expected /restart?worker=ID with ID a worker id (0, 1, ...)\n"));
        }
        return answerWhenDone(cluster.restart(worker));
    }

    private static CompletableFuture<AdminAnswer> answerWhenDone(CompletableFuture<ClusterOperations.Result> result) {
        return result.thenApply(outcome -> AdminAnswer.text(switch (outcome.status()) {
            case DONE -> HttpResponseStatus.OK;
            case BUSY -> HttpResponseStatus.CONFLICT;
            case FAILED -> HttpResponseStatus.INTERNAL_SERVER_ERROR;
        }, outcome.message() + "\n"));
    }

    private static Integer number(String value) {
        if (value == null) {
            return null;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
