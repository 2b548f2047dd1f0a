package apps.tomcat;

import apps.recorder.RequestJournal;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Recording mode (see {@link RequestJournal}): every method, every path; the body read to its end. */
final class RecordingServlet extends HttpServlet {

    private final transient RequestJournal journal;

    RecordingServlet(RequestJournal journal) {
        this.journal = journal;
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        byte[] body = request.getInputStream().readAllBytes();
        String query = request.getQueryString();
        String line = journal.record(request.getMethod(), request.getRequestURI() + (query == null ? "" : "?" + query),
                body, request.getRemotePort(), request.getHeader("X-Forwarded-For"));
        byte[] answer = (line + "\n").getBytes(StandardCharsets.ISO_8859_1);
        response.setContentType("text/plain;charset=iso-8859-1");
        response.setContentLength(answer.length);
        response.getOutputStream().write(answer);
    }
}
