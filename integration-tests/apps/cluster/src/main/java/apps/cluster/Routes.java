package apps.cluster;

import io.jcluster.Cluster;
import io.jcluster.ClusterException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.RejectedExecutionException;

/** The app's plain HTTP endpoints (see {@link ClusterApp}). */
final class Routes extends Handler.Abstract {

    private static final long PID = ProcessHandle.current().pid();

    private final Counter counter;
    private final RateLimiter limiter;
    private final LeaderJob job;

    Routes(Counter counter, RateLimiter limiter, LeaderJob job) {
        this.counter = counter;
        this.limiter = limiter;
        this.job = job;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = Request.getPathInContext(request);
        boolean post = HttpMethod.POST.is(request.getMethod());
        Fields query = Request.extractQueryParameters(request);
        try {
            switch (path) {
                case "/whoami" -> answer(response, callback, 200, "pid=" + PID + " worker=" + Cluster.workerId()
                        + " workers=" + Cluster.workers() + " leader=" + Cluster.isLeader());
                case "/ping" -> answer(response, callback, 200, "pong");
                case "/count" -> answer(response, callback, 200,
                        Long.toString(post ? counter.visit() : counter.visits()));
                case "/limited" -> limited(query.getValue("client"), response, callback);
                case "/job" -> answer(response, callback, 200, "runs=" + job.runs() + " leader=" + Cluster.isLeader());
                case "/hash" -> hash(query.getValue("rounds"), response, callback);
                default -> answer(response, callback, 404, "no such path: " + path);
            }
        } catch (ClusterException e) { // the store did not answer in time, or refused
            answer(response, callback, 503, e.getMessage());
        } catch (IllegalArgumentException e) { // a name, key or message the API refuses
            answer(response, callback, 400, e.getMessage());
        }
        return true;
    }

    private void limited(String client, Response response, Callback callback) {
        if (client == null || client.isEmpty() || client.length() > 200) {
            answer(response, callback, 400, "give ?client= (1 to 200 characters)");
        } else if (limiter.allow(client)) {
            answer(response, callback, 200, "ok");
        } else {
            answer(response, callback, 429, "over " + limiter.limit() + " requests per " + limiter.windowMillis() + " ms");
        }
    }

    private void hash(String roundsText, Response response, Callback callback) {
        int rounds;
        try {
            rounds = Integer.parseInt(roundsText == null ? "1000" : roundsText);
        } catch (NumberFormatException e) {
            rounds = -1;
        }
        if (rounds < 1 || rounds > Hasher.MAX_ROUNDS) {
            answer(response, callback, 400, "rounds: 1 to " + Hasher.MAX_ROUNDS);
            return;
        }
        try {
            Hasher.hashAsync(rounds).whenComplete((hash, failure) -> {
                if (failure == null) {
                    answer(response, callback, 200, hash);
                } else {
                    answer(response, callback, 500, failure.toString());
                }
            });
        } catch (RejectedExecutionException e) { // the pool's queue is full: shed load, say why
            answer(response, callback, 503, e.getMessage());
        }
    }

    private static void answer(Response response, Callback callback, int status, String text) {
        byte[] body = (text + "\n").getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.getHeaders().put("X-Pid", Long.toString(PID));
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }
}
