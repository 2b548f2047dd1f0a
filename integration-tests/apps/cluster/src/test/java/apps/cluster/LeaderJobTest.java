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

    @Test
    void losingLeadershipWaitsForTheRunInProgressAndStopsTheSchedule(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("job.log");
        try (LeaderJob job = new LeaderJob(log)) { // the single process is the leader: gained() ran already
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (!lastLine(log).endsWith(" start") && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertTrue(lastLine(log).endsWith(" start"), "a run in progress: " + lastLine(log));
            job.lost(); // as the cluster calls it when the leadership goes
            assertTrue(lastLine(log).endsWith(" end"), "lost() returned before the run ended: " + lastLine(log));
            int lines = Files.readAllLines(log).size();
            Thread.sleep(3 * LeaderJob.PERIOD_MILLIS);
            assertEquals(lines, Files.readAllLines(log).size(), "no run after lost()");
            job.gained(); // and it comes back
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (Files.readAllLines(log).size() < lines + 2 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(Files.readAllLines(log).size() >= lines + 2, "runs again after gained()");
        }
    }

    private static String lastLine(Path log) throws java.io.IOException {
        List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }

    private static long ends(Path log) throws java.io.IOException {
        return Files.exists(log) ? Files.readAllLines(log).stream().filter(line -> line.endsWith(" end")).count() : 0;
    }
}
