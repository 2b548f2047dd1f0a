package io.jcluster.sessions.tomcat;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;

import java.io.IOException;
import java.io.Serializable;

/**
 * The test servers' session counter: {@code count=N id=ID created=T last=T max=S} (the session as the servlet API
 * shows it). Switches: invalidate, local (a value that is not Serializable), timeout=N, sleep=MS (between reading and
 * writing the count), put=NAME (sets attribute NAME instead of counting), rotate (changeSessionId), async (the count
 * is written on another thread, after the valve returned), none (does not touch the session), big=BYTES,
 * commit=flush|length|overflow|redirect|stream (how the answer reaches the client before the servlet returns: flushBuffer,
 * Content-Length and exactly that many bytes, a body larger than the buffer, sendRedirect to ?none&was=N, Content-Length then a flush of the output
 * stream as Spring MVC's message converters do), after which the servlet waits for {@link #HOLD} (up to 10 s),
 * async&hold (an async request whose completion listener waits for {@link #HOLD}), then=put (after that wait, sets attribute "late"), then=invalidate (after that wait, invalidates the session).
 */
final class CounterServlet extends HttpServlet {

    /** Released by a test once its client has the answer of a commit=... request. */
    static volatile java.util.concurrent.CountDownLatch HOLD = new java.util.concurrent.CountDownLatch(0);

    static final class NotSerializable {
    }

    /** Says when Tomcat activated or passivated the session holding it. */
    static final class Activation implements jakarta.servlet.http.HttpSessionActivationListener, Serializable {
        private static final long serialVersionUID = 1L;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("text/plain;charset=utf-8");
        if (request.getParameter("none") != null) {
            response.getWriter().write("no session used\n");
            return;
        }
        if (request.getParameter("invalidate") != null) {
            HttpSession session = request.getSession(false);
            if (session != null) {
                session.invalidate();
            }
            response.getWriter().write("count=0 invalidated\n");
            return;
        }
        if (request.getParameter("async") != null) {
            AsyncContext async = request.startAsync();
            if (request.getParameter("hold") != null) {
                // the container completes the response, then calls the listeners: this one keeps them waiting
                async.addListener(new jakarta.servlet.AsyncListener() {
                    @Override
                    public void onComplete(jakarta.servlet.AsyncEvent event) {
                        hold();
                    }

                    @Override
                    public void onTimeout(jakarta.servlet.AsyncEvent event) {
                    }

                    @Override
                    public void onError(jakarta.servlet.AsyncEvent event) {
                    }

                    @Override
                    public void onStartAsync(jakarta.servlet.AsyncEvent event) {
                    }
                });
            }
            async.start(() -> {
                sleep(100);
                try {
                    HttpSession session = ((HttpServletRequest) async.getRequest()).getSession(true);
                    int count = count(session, request);
                    async.getResponse().getWriter().write(describe(count, session));
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
                async.complete();
            });
            return;
        }
        if (request.getParameter("commit") != null) {
            commitThenHold(request, response);
            return;
        }
        HttpSession session = request.getSession(true);
        if (request.getParameter("rotate") != null) {
            request.changeSessionId();
        }
        if (request.getParameter("timeout") != null) {
            session.setMaxInactiveInterval(Integer.parseInt(request.getParameter("timeout")));
        }
        if (request.getParameter("local") != null) {
            session.setAttribute("local", new NotSerializable());
        }
        if (request.getParameter("activation") != null) {
            session.setAttribute("activation", new Activation());
        }
        if (request.getParameter("big") != null) {
            session.setAttribute("big", new byte[Integer.parseInt(request.getParameter("big"))]);
        }
        if (request.getParameter("put") != null) {
            sleep(request);
            session.setAttribute(request.getParameter("put"), 1);
            response.getWriter().write(describe(-1, session));
            return;
        }
        response.getWriter().write(describe(count(session, request), session));
    }

    private static void commitThenHold(HttpServletRequest request, HttpServletResponse response) throws IOException {
        HttpSession session = request.getSession(true);
        int count = count(session, request);
        byte[] body = describe(count, session).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        switch (request.getParameter("commit")) {
            case "flush" -> {
                response.getWriter().write(describe(count, session));
                response.flushBuffer();
            }
            case "length" -> {
                response.setContentLength(body.length);
                response.getOutputStream().write(body);
            }
            case "stream" -> {
                response.setContentLength(body.length);
                response.getOutputStream().write(body);
                response.getOutputStream().flush();
            }
            case "overflow" -> { // more than the buffer holds: Tomcat sends the first buffer-full at once
                response.getOutputStream().write(body); // Tomcat's buffer: 8 KiB (setBufferSize only grows it)
                response.getOutputStream().write(("x".repeat(20_000) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            case "redirect" -> response.sendRedirect(request.getContextPath() + "/count?none&was=" + count);
            default -> throw new IllegalArgumentException(request.getParameter("commit"));
        }
        hold();
        if ("put".equals(request.getParameter("then"))) {
            session.setAttribute("late", count);
        } else if ("invalidate".equals(request.getParameter("then"))) {
            session.invalidate();
        }
    }

    private static void hold() {
        try {
            HOLD.await(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int count(HttpSession session, HttpServletRequest request) {
        Integer before = (Integer) session.getAttribute("count");
        sleep(request);
        int count = before == null ? 1 : before + 1;
        session.setAttribute("count", count);
        return count;
    }

    private static String describe(int count, HttpSession session) {
        return "count=" + count + " id=" + session.getId() + " created=" + session.getCreationTime() + " last="
                + session.getLastAccessedTime() + " max=" + session.getMaxInactiveInterval() + "\n";
    }

    private static void sleep(HttpServletRequest request) {
        if (request.getParameter("sleep") != null) {
            sleep(Long.parseLong(request.getParameter("sleep")));
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
