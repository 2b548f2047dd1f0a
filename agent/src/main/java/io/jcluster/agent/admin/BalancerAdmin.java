package io.jcluster.agent.admin;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.util.concurrent.CompletableFuture;

import static io.jcluster.agent.admin.AdminEndpoints.done;
import static io.jcluster.agent.admin.AdminEndpoints.parameter;

/**
 * The standalone balancer's endpoints, served by {@link AdminServer} behind the same access rules and limits as the
 * agent's:
 * <pre>
 *   GET  /status                          JSON (format=table: the table the CLI prints)
 *   GET  /metrics                         Prometheus text format
 *   GET  /ready                           200 while at least one backend is in rotation and no stop was asked, else 503
 *   POST /backend/drain?address=H:P       no new connections to it; answers once its open ones finished (200) or
 *                                         after shutdown-timeout with some still open (202)
 *   POST /backend/ready?address=H:P       back in rotation after a drain
 *   POST /backend/add?address=H:P         a new backend, in rotation once it accepts a tcp connect; only with a
 *                                         token (403 without: a local user's backend would get the clients' traffic)
 *   POST /backend/remove?address=H:P      drain, then forget it (200, or 202 as for drain)
 *   POST /cache/purge?path=/x             forget the cached responses of path /x (prefix=/x/: of every path that
 *                                         starts with it), as on the agent's endpoint; 404 without --cache
 * </pre>
 */
final class BalancerAdmin implements AdminEndpoints {

    static final String ENDPOINTS = "GET /status, GET /metrics, GET /ready, POST /backend/drain|ready|add|remove"
            + "?address=HOST:PORT, POST /cache/purge?path=/x";

    private final BalancerOperations balancer;
    /** Whether every request carries the admin token (checked by AdminAccess before this sees it). */
    private final boolean tokenRequired;

    /** @param tokenRequired whether the endpoint has a token: without one, no backend may be added */
    BalancerAdmin(BalancerOperations balancer, boolean tokenRequired) {
        this.balancer = balancer;
        this.tokenRequired = tokenRequired;
    }

    @Override
    public CompletableFuture<AdminAnswer> answer(HttpMethod method, QueryStringDecoder query) {
        String path = query.path();
        switch (path) {
            case "/status" -> {
                if (!method.equals(HttpMethod.GET)) {
                    return done(AdminAnswer.wrongMethod(HttpMethod.GET, path));
                }
                BalancerStatus status = balancer.status();
                return done("table".equals(parameter(query, "format"))
                        ? AdminAnswer.text(HttpResponseStatus.OK, BalancerReport.table(status))
                        : new AdminAnswer(HttpResponseStatus.OK, "application/json", BalancerReport.json(status),
                                null));
            }
            case "/metrics" -> {
                if (!method.equals(HttpMethod.GET)) {
                    return done(AdminAnswer.wrongMethod(HttpMethod.GET, path));
                }
                return done(new AdminAnswer(HttpResponseStatus.OK, MetricsText.CONTENT_TYPE,
                        BalancerReport.metrics(balancer.status()), null));
            }
            case "/ready" -> {
                if (!method.equals(HttpMethod.GET)) {
                    return done(AdminAnswer.wrongMethod(HttpMethod.GET, path));
                }
                BalancerStatus status = balancer.status();
                long inRotation = status.count(BalancerStatus.READY);
                if (status.ready()) {
                    return done(AdminAnswer.text(HttpResponseStatus.OK, "ready: " + inRotation + " of "
                            + status.backends().size() + " backend(s) in rotation\n"));
                }
                return done(AdminAnswer.text(HttpResponseStatus.SERVICE_UNAVAILABLE, status.stopping()
                        ? "not ready: stopping\n" : "not ready: no backend in rotation (" + status.backends().size()
                        + " known; see GET /status)\n"));
            }
            case "/cache/purge" -> {
                if (!method.equals(HttpMethod.POST)) {
                    return done(AdminAnswer.wrongMethod(HttpMethod.POST, path));
                }
                return done(CachePurgeRequest.answer(query, balancer::purgeCache,
                        "the balancer in http mode with --cache SIZE (e.g. --cache 64m)"));
            }
            case "/backend/drain", "/backend/ready", "/backend/add", "/backend/remove" -> {
                if (!method.equals(HttpMethod.POST)) {
                    return done(AdminAnswer.wrongMethod(HttpMethod.POST, path));
                }
                String address = parameter(query, "address");
                if (address == null || address.isEmpty()) {
                    return done(AdminAnswer.text(HttpResponseStatus.BAD_REQUEST, "expected " + path
                            + "?address=HOST:PORT (a backend as --backend names it, e.g. 127.0.0.1:8081)\n"));
                }
                if (path.equals("/backend/add") && !tokenRequired) {
                    // without a token any local user reaches a loopback endpoint; draining is a nuisance, but a
                    // backend of their own would receive the clients' requests, credentials included
                    return done(AdminAnswer.text(HttpResponseStatus.FORBIDDEN, "refused: adding a backend needs an"
                            + " admin token (whoever adds one receives your clients' traffic); start the balancer with"
                            + " --admin-token-file PATH or JCLUSTER_ADMIN_TOKEN and pass --token\n"));
                }
                CompletableFuture<BalancerOperations.Outcome> outcome = switch (path) {
                    case "/backend/drain" -> balancer.drain(address);
                    case "/backend/ready" -> balancer.ready(address);
                    case "/backend/add" -> balancer.add(address);
                    default -> balancer.remove(address);
                };
                return outcome.thenApply(BalancerAdmin::answer);
            }
            default -> {
                return done(AdminAnswer.text(HttpResponseStatus.NOT_FOUND, "no such endpoint: " + path + " ("
                        + ENDPOINTS + ")\n"));
            }
        }
    }

    private static AdminAnswer answer(BalancerOperations.Outcome outcome) {
        HttpResponseStatus status = switch (outcome.kind()) {
            case DONE -> HttpResponseStatus.OK;
            case UNFINISHED -> HttpResponseStatus.ACCEPTED;
            case BAD_REQUEST -> HttpResponseStatus.BAD_REQUEST;
            case UNKNOWN -> HttpResponseStatus.NOT_FOUND;
            case CONFLICT -> HttpResponseStatus.CONFLICT;
        };
        return AdminAnswer.text(status, outcome.message() + "\n");
    }
}
