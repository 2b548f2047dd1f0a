package io.jcluster.agent.http.grpc;

import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamFrame;

/** What a call's relay asks of the frames it passes on. */
final class GrpcFrames {

    private GrpcFrames() {
    }

    /** The frame to pass on: the same one (its stream is set anew by the channel it is written to), without padding. */
    static Http2StreamFrame unpadded(Http2DataFrame data) {
        if (data.padding() == 0) {
            return data;
        }
        Http2DataFrame copy = new DefaultHttp2DataFrame(data.content().retain(), data.isEndStream());
        data.release();
        return copy;
    }

    static boolean endsStream(Http2StreamFrame frame) {
        return frame instanceof Http2HeadersFrame ? ((Http2HeadersFrame) frame).isEndStream()
                : frame instanceof Http2DataFrame && ((Http2DataFrame) frame).isEndStream();
    }

    /** A status of up to 3 digits (:status, grpc-status); -1 for anything else. */
    static int status(CharSequence value) {
        if (value.length() == 0 || value.length() > 3) {
            return -1;
        }
        int status = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            status = status * 10 + (c - '0');
        }
        return status;
    }
}
