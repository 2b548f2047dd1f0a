package io.jcluster.agent.http.grpc;

import io.netty.handler.codec.http2.Http2Headers;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GrpcAnswersTest {

    @Test
    void trailersOnlyCarriesStatusContentTypeAndAPercentEncodedMessage() {
        Http2Headers headers = GrpcAnswers.trailersOnly(GrpcAnswers.UNAVAILABLE, "no worker: 100% busy\né");
        assertEquals("200", headers.status().toString());
        assertEquals("application/grpc", headers.get("content-type").toString());
        assertEquals("14", headers.get("grpc-status").toString());
        assertEquals("no worker: 100%25 busy%0A%C3%A9", headers.get("grpc-message").toString());
    }

    @Test
    void grpcContentTypesAreTold() {
        assertTrue(GrpcAnswers.isGrpc("application/grpc"));
        assertTrue(GrpcAnswers.isGrpc("application/grpc+proto"));
        assertTrue(GrpcAnswers.isGrpc("Application/GRPC;charset=utf-8"));
        assertFalse(GrpcAnswers.isGrpc("application/grpc-web"));
        assertFalse(GrpcAnswers.isGrpc("application/json"));
        assertFalse(GrpcAnswers.isGrpc(null));
    }
}
