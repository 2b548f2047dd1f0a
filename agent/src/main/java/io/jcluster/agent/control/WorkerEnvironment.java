package io.jcluster.agent.control;

import java.nio.file.Path;
import java.util.Map;

/**
 * How the parent tells a worker who it is: environment variables set at fork, read at the worker's premain.
 * Their presence is what makes a JVM with the agent a worker rather than a parent.
 */
public record WorkerEnvironment(int workerId, int workers, Path controlSocket, String secret) {

    public static final String WORKER_ID = "JCLUSTER_WORKER_ID";
    public static final String WORKERS = "JCLUSTER_WORKERS";
    public static final String CONTROL = "JCLUSTER_CONTROL";
    public static final String SECRET = "JCLUSTER_SECRET";

    /** The system properties an app can read (also through io.jcluster.Cluster). */
    public static final String WORKER_ID_PROPERTY = "jcluster.worker.id";
    public static final String WORKERS_PROPERTY = "jcluster.workers";

    public void exportTo(Map<String, String> environment) {
        environment.put(WORKER_ID, Integer.toString(workerId));
        environment.put(WORKERS, Integer.toString(workers));
        environment.put(CONTROL, controlSocket.toString());
        environment.put(SECRET, secret);
    }

    /** This JVM's worker identity, or null when it is not a worker (no control socket named). */
    public static WorkerEnvironment fromEnvironment(Map<String, String> environment) {
        String control = environment.get(CONTROL);
        String id = environment.get(WORKER_ID);
        if (control == null || id == null) {
            return null;
        }
        try {
            return new WorkerEnvironment(Integer.parseInt(id), Integer.parseInt(environment.getOrDefault(WORKERS, "1")),
                    Path.of(control), environment.getOrDefault(SECRET, ""));
        } catch (RuntimeException e) {
            return null;
        }
    }
}
