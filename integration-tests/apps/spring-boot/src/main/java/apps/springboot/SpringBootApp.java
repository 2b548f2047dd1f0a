package apps.springboot;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A plain Spring Boot 3 web app (embedded Tomcat), run as its executable jar: {@code java -jar app.jar
 * --server.port=PORT}. GET / answers with this process's pid (also in X-Pid); GET /slow?ms=N after N ms.
 */
@SpringBootApplication
@RestController
public class SpringBootApp {

    private static final String PID = Long.toString(ProcessHandle.current().pid());

    public static void main(String[] args) {
        SpringApplication.run(SpringBootApp.class, args);
    }

    @GetMapping("/")
    ResponseEntity<String> pid() {
        return ResponseEntity.ok().header("X-Pid", PID).body("spring boot pid " + PID + "\n");
    }

    @GetMapping("/slow")
    ResponseEntity<String> slow(@RequestParam(defaultValue = "1000") long ms) throws InterruptedException {
        Thread.sleep(ms);
        return ResponseEntity.ok().header("X-Pid", PID).body("slow done by pid " + PID + "\n");
    }
}
