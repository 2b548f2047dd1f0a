package apps.cluster;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One process is the leader of its single-process cluster: the job runs, and logs each run. */
@Timeout(60)
class LeaderJobTest {

    @Test
    void jobRunsEvery200msAndLogsStartAndEndOfEachRun(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("job.log");
        long pid = ProcessHandle.current().pid();
        List<String> lines;
        try (ClusterApp app = ClusterApp.start(0, new ClusterApp.Settings(log, 5, Duration.ofSeconds(1)))) {
            Web web = new Web(app.port());
            assertEquals("pid=" + pid + " worker=0 workers=1 leader=true", web.get("/whoami").body());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (ends(log) < 3 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertTrue(ends(log) >= 3, "3 runs within 15 s: " + Files.readAllLines(log));
            assertTrue(web.get("/job").body().matches("runs=[1-9]\\d* leader=true"), web.get("/job").body());
        }
        lines = Files.readAllLines(log); // closing the app waited for a run in progress: the log ends with "end"
        assertEquals(0, lines.size() % 2, "start/end pairs: " + lines);
        long previousEnd = 0;
        for (int i = 0; i < lines.size(); i += 2) {
            String[] start = lines.get(i).split(" ");
            String[] end = lines.get(i + 1).split(" ");
            assertEquals(List.of("0", Long.toString(pid), "start"), List.of(start).subList(1, 4), lines.get(i));
            assertEquals(List.of("0", Long.toString(pid), "end"), List.of(end).subList(1, 4), lines.get(i + 1));
            long startMillis = Long.parseLong(start[0]);
            long endMillis = Long.parseLong(end[0]);
            assertTrue(startMillis >= previousEnd && endMillis >= startMillis, "runs do not overlap: " + lines);
            previousEnd = endMillis;
        }
        int runs = lines.size() / 2;
        Thread.sleep(3 * LeaderJob.PERIOD_MILLIS);
        assertEquals(runs * 2, Files.readAllLines(log).size(), "closed: no more runs");
    }

    private static long ends(Path log) throws java.io.IOException {
        return Files.exists(log) ? Files.readAllLines(log).stream().filter(line -> line.endsWith(" end")).count() : 0;
    }
}
