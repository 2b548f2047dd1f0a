package apps.springboot;

import jakarta.servlet.http.HttpSession;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The session counter of the shared-sessions tests, written as any Spring MVC app would: GET /session-count adds one
 * to the HttpSession attribute "count" and answers {@code count=N worker=W} (W: the jcluster worker that served it).
 */
@RestController
class SessionCountController {

    @GetMapping(value = "/session-count", produces = "text/plain")
    String count(HttpSession session) {
        Integer count = (Integer) session.getAttribute("count");
        count = count == null ? 1 : count + 1;
        session.setAttribute("count", count);
        return "count=" + count + " worker=" + System.getProperty("jcluster.worker.id") + "\n";
    }
}
