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
    /**
     * The parent's pid. A JVM that inherits a worker's environment without being one (the app started another JVM,
     * and JAVA_TOOL_OPTIONS gave it the agent too) sees another parent process: see {@link #startedByWorker}.
     */
    public static final String PARENT_PID = "JCLUSTER_PARENT_PID";

    /** The system properties an app can read (also through io.jcluster.Cluster). */
    public static final String WORKER_ID_PROPERTY = "jcluster.worker.id";
    public static final String WORKERS_PROPERTY = "jcluster.workers";

    public void exportTo(Map<String, String> environment) {
        environment.put(WORKER_ID, Integer.toString(workerId));
        environment.put(WORKERS, Integer.toString(workers));
        environment.put(CONTROL, controlSocket.toString());
        environment.put(SECRET, secret);
        environment.put(PARENT_PID, Long.toString(ProcessHandle.current().pid()));
    }

    /**
     * True when this JVM has a worker's environment but was not started by the jcluster parent: a process the app
     * of a worker started (with JAVA_TOOL_OPTIONS, every JVM it starts loads the agent). Such a JVM is neither a
     * worker nor a parent; the agent leaves it alone.
     *
     * @param parentPid this process's parent's pid, or -1 when not known
     */
    public static boolean startedByWorker(Map<String, String> environment, long parentPid) {
        String expected = environment.get(PARENT_PID);
        return environment.get(CONTROL) != null && expected != null && parentPid != -1
                && !expected.equals(Long.toString(parentPid));
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
