package apps.jetty;

import apps.recorder.RequestJournal;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** Recording mode (see {@link RequestJournal}): every method, every path; the body read to its end. */
final class RecordingHandler extends Handler.Abstract {

    private final RequestJournal journal;

    RecordingHandler(RequestJournal journal) {
        this.journal = journal;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        byte[] body;
        try (InputStream in = Content.Source.asInputStream(request)) {
            body = in.readAllBytes();
        }
        String line = journal.record(request.getMethod(), request.getHttpURI().getPathQuery(), body,
                Request.getRemotePort(request), request.getHeaders().get("X-Forwarded-For"));
        byte[] answer = (line + "\n").getBytes(StandardCharsets.ISO_8859_1);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=iso-8859-1");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, answer.length);
        response.write(true, java.nio.ByteBuffer.wrap(answer), callback);
        return true;
    }
}
