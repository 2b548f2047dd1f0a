package apps.tomcat;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import jakarta.servlet.http.HttpSessionEvent;
import jakarta.servlet.http.HttpSessionListener;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The session counter of sessions=shared (GET /session-count): counts requests in the servlet session and answers
 * {@code count=N worker=W created=C destroyed=D} (W: jcluster.worker.id; C, D: sessions this worker's
 * HttpSessionListener saw created and destroyed). Switches: {@code ?invalidate} invalidates the session (answers
 * count=0); {@code ?local} also sets an attribute that is not Serializable; {@code ?timeout=N}
 * setMaxInactiveInterval(N); {@code ?sleep=MS} waits after reading the count, before writing it (concurrent
 * requests of one session).
 */
public final class SessionCounterServlet extends HttpServlet {

    static final AtomicInteger CREATED = new AtomicInteger();
    static final AtomicInteger DESTROYED = new AtomicInteger();

    /** Counts what the servlet spec says this worker observed. */
    public static final class Events implements HttpSessionListener {
        @Override
        public void sessionCreated(HttpSessionEvent event) {
            CREATED.incrementAndGet();
        }

        @Override
        public void sessionDestroyed(HttpSessionEvent event) {
            DESTROYED.incrementAndGet();
        }
    }

    /** Held in the session by ?local: not Serializable, so that session cannot be shared. */
    static final class NotSerializable {
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        int count;
        if (request.getParameter("invalidate") != null) {
            HttpSession session = request.getSession(false);
            if (session != null) {
                session.invalidate();
            }
            count = 0;
        } else {
            HttpSession session = request.getSession(true);
            if (request.getParameter("timeout") != null) {
                session.setMaxInactiveInterval(Integer.parseInt(request.getParameter("timeout")));
            }
            if (request.getParameter("local") != null) {
                session.setAttribute("local", new NotSerializable());
            }
            Integer before = (Integer) session.getAttribute("count");
            if (request.getParameter("sleep") != null) {
                try {
                    Thread.sleep(Long.parseLong(request.getParameter("sleep")));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            count = before == null ? 1 : before + 1;
            session.setAttribute("count", count);
        }
        response.setContentType("text/plain;charset=utf-8");
        response.getWriter().write("count=" + count + " worker=" + System.getProperty("jcluster.worker.id", "-1")
                + " created=" + CREATED.get() + " destroyed=" + DESTROYED.get() + "\n");
    }
}
