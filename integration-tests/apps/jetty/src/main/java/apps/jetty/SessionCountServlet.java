package apps.jetty;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;

import java.io.IOException;

/**
 * The sessions=shared sample (an ee10 servlet): GET /session-count answers {@code count=N worker=W}, N the session's
 * counter after this request, W this worker's jcluster.worker.id. {@code ?invalidate} invalidates the session;
 * {@code ?timeout=N} sets its max inactive interval; {@code ?local} also puts an attribute that is not serializable
 * in it (that session then stays on its worker).
 */
final class SessionCountServlet extends HttpServlet {

    /** Not Serializable, so a session that holds one cannot be shared. */
    static final class Unshareable {
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String worker = System.getProperty("jcluster.worker.id", "none");
        response.setContentType("text/plain; charset=utf-8");
        if (request.getParameter("invalidate") != null) {
            HttpSession session = request.getSession(false);
            if (session != null) {
                session.invalidate();
            }
            response.getWriter().print("invalidated count=0 worker=" + worker + "\n");
            return;
        }
        HttpSession session = request.getSession(true);
        String timeout = request.getParameter("timeout");
        if (timeout != null) {
            session.setMaxInactiveInterval(Integer.parseInt(timeout));
        }
        if (request.getParameter("local") != null) {
            session.setAttribute("local", new Unshareable());
        }
        Integer count = (Integer) session.getAttribute("count");
        count = count == null ? 1 : count + 1;
        session.setAttribute("count", count);
        response.getWriter().print("count=" + count + " worker=" + worker + "\n");
    }
}
