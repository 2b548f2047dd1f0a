package io.jcluster.agent.admin;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.util.concurrent.CompletableFuture;

/** What an admin endpoint answers to a request that passed {@link AdminAccess}: the agent's or the balancer's. */
interface AdminEndpoints {

    CompletableFuture<AdminAnswer> answer(HttpMethod method, QueryStringDecoder query);

    /** A parameter's last value, or null. */
    static String parameter(QueryStringDecoder query, String name) {
        return CachePurgeRequest.parameter(query, name);
    }

    static CompletableFuture<AdminAnswer> done(AdminAnswer answer) {
        return CompletableFuture.completedFuture(answer);
    }
}
